from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.clock import utcnow
from mentoring.db import TagList, UTCDateTime, str_enum
from mentoring.extensions import Model


class OfferKind(StrEnum):
    GROUP = "group"
    COUNSELLING = "counselling"
    COURSE = "course"
    DROP_IN = "drop-in"
    HOME_VISIT = "home-visit"
    OTHER = "other"


class Cost(StrEnum):
    FREE = "free"
    REDUCED = "reduced"
    FEE = "fee"


# The prevention chain, from pregnancy to the start of working life.
CHAIN = ("pregnancy", "0-1", "1-3", "3-6", "6-10", "10-14", "14-18", "work")
CHAIN_LABELS = {
    "pregnancy": _l("Expecting a baby"),
    "0-1": _l("Baby (under 1 year)"),
    "1-3": _l("Toddler (1 to 3 years)"),
    "3-6": _l("Kindergarten age (3 to 6 years)"),
    "6-10": _l("Primary school age (6 to 10 years)"),
    "10-14": _l("10 to 14 years"),
    "14-18": _l("14 to 18 years"),
    "work": _l("From school to work"),
}
KIND_LABELS = {
    OfferKind.GROUP: _l("Group"),
    OfferKind.COUNSELLING: _l("Counselling"),
    OfferKind.COURSE: _l("Course"),
    OfferKind.DROP_IN: _l("Drop-in"),
    OfferKind.HOME_VISIT: _l("Home visit"),
    OfferKind.OTHER: _l("Other"),
}
COST_LABELS = {Cost.FREE: _l("Free"), Cost.REDUCED: _l("Reduced price"), Cost.FEE: _l("With a fee")}


class Offer(Model):
    """A local offer; texts per language ({"de": …}), German required, the rest optional."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_from <= valid_until", name="valid_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    provider: Mapped[str] = mapped_column(String(120))
    kind: Mapped[OfferKind] = mapped_column(str_enum(OfferKind, 16))
    age_groups: Mapped[list[str]] = mapped_column(TagList, default=list)
    districts: Mapped[list[str]] = mapped_column(TagList, default=list)  # empty: the whole city
    address: Mapped[str] = mapped_column(String(200), default="")
    opening_times: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    cost: Mapped[Cost] = mapped_column(str_enum(Cost, 8), default=Cost.FREE)
    languages: Mapped[list[str]] = mapped_column(TagList, default=list)
    topics: Mapped[list[str]] = mapped_column(TagList, default=list)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Every language's title and description, the provider and the address, lower case: one LIKE.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def facts(self) -> dict:
        """Everything but the texts, as plain values: for the form, the CSV and the API."""
        return {
            "provider": self.provider,
            "kind": self.kind.value,
            "age_groups": self.age_groups,
            "districts": self.districts,
            "address": self.address,
            "opening_times": self.opening_times,
            "contact": self.contact,
            "cost": self.cost.value,
            "languages": self.languages,
            "topics": self.topics,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
        }

    @property
    def is_citywide(self) -> bool:
        return not self.districts

    def text(self, field: str, locale: str) -> tuple[str, str]:
        """(text, its language): the reader's language, else German (the page marks it)."""
        texts = self.titles if field == "title" else self.descriptions
        if texts.get(locale):
            return texts[locale], locale
        return texts.get("de", ""), "de"
