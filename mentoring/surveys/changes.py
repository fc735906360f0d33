"""The "You said, we did" entries: what the programme changed after parents' comments, told back to parents.

An entry has a day and a text per language (German required, the others optional); the public
page shows each entry in the reader's language, else in German, marked as such.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentoring.clock import utcnow
from mentoring.db import UTCDateTime
from mentoring.extensions import Model, db

REQUIRED_LOCALE = "de"


class ChangeEntry(Model):
    __tablename__ = "survey_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    done_on: Mapped[date] = mapped_column(Date, index=True)  # when the change took effect
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    texts: Mapped[list["ChangeText"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", lazy="selectin", order_by="ChangeText.locale"
    )

    def text_in(self, locale: str) -> "ChangeText | None":
        """The reader's language, else German (the page marks the fallback with lang="de")."""
        by_locale = {text.locale: text for text in self.texts}
        return by_locale.get(locale) or by_locale.get(REQUIRED_LOCALE)

    @property
    def locales(self) -> list[str]:
        return [text.locale for text in self.texts]


class ChangeText(Model):
    __tablename__ = "survey_change_texts"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("survey_changes.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    entry: Mapped[ChangeEntry] = relationship(back_populates="texts")


def list_entries(limit: int = 200) -> list[ChangeEntry]:
    """Newest first, with their texts (one more statement for all of them)."""
    return list(
        db.session.scalars(
            select(ChangeEntry).order_by(ChangeEntry.done_on.desc(), ChangeEntry.id.desc()).limit(limit)
        )
    )


def get_entry(entry_id: int) -> ChangeEntry | None:
    return db.session.get(ChangeEntry, entry_id)


def fill_entry(entry: ChangeEntry, done_on: date, texts: dict[str, tuple[str, str]]) -> None:
    """Set the day and the texts ({locale: (title, text)}; German required); languages left out go."""
    if not texts.get(REQUIRED_LOCALE):
        raise ValueError("German text required")
    entry.done_on = done_on
    kept = {text.locale: text for text in entry.texts if text.locale in texts}
    entry.texts = [
        replace_text(kept.get(locale), locale, title, body) for locale, (title, body) in sorted(texts.items())
    ]


def replace_text(text: ChangeText | None, locale: str, title: str, body: str) -> ChangeText:
    text = text or ChangeText(locale=locale)
    text.title, text.body = title, body
    return text


def written_locales(entries: list[ChangeEntry]) -> list[str]:
    """Every language at least one entry is written in, German first."""
    found = {locale for entry in entries for locale in entry.locales}
    return sorted(found, key=lambda code: (code != REQUIRED_LOCALE, code))
