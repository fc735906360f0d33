from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.extensions import Model


class District(Model):
    """A social district (Sozialraum) of the municipality."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Topic(Model):
    """A consultation topic; coordinators add topics, so names are data in every language."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    def name_in(self, locale: str, fallback: str = "de") -> str:
        return self.names.get(locale) or self.names.get(fallback) or self.key


class AgeGroup(StrEnum):
    """Child age groups along the prevention chain."""

    PREGNANCY = "pregnancy"
    BABY = "0-1"
    TODDLER = "1-3"
    PRESCHOOL = "3-6"
    SCHOOL = "6-10"
    OLDER = "10+"


AGE_GROUP_LABELS = {
    AgeGroup.PREGNANCY: _l("Expecting a baby"),
    AgeGroup.BABY: _l("Baby (under 1 year)"),
    AgeGroup.TODDLER: _l("Toddler (1 to 3 years)"),
    AgeGroup.PRESCHOOL: _l("Kindergarten age (3 to 6 years)"),
    AgeGroup.SCHOOL: _l("Primary school age (6 to 10 years)"),
    AgeGroup.OLDER: _l("10 years and older"),
}


class ReferralSource(Model):
    """Who may have sent a family; coordinators add, rename and hide them.

    The built-in sources need no row: a row with their key only overrides their name, place or
    visibility. Keys stored on requests stay valid for ever, so a source is hidden, never deleted.
    """

    __tablename__ = "referral_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)  # as long as a request's referral_source
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class OfficeContact(Model):
    """The programme office's contact, shown on the imprint and the privacy page (one row)."""

    __tablename__ = "office_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_name: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(120))
    postcode_city: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    hours: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {locale: text}, German required

    def hours_in(self, locale: str, fallback: str = "de") -> str:
        return self.hours.get(locale) or self.hours.get(fallback) or ""
