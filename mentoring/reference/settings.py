"""The city's settings coordinators edit: the office's contact, districts, topics, referral sources.

Services flush, never commit; every change returns the old and new values so the view can audit it.
"""

from dataclasses import dataclass

from flask import current_app, g
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from mentoring.extensions import db
from mentoring.reference.models import District, OfficeContact, ReferralSource, Topic

# Who sent a family: recorded when they ask for a mentor and shown on the dashboard. These need no
# row; a row with the same key renames, moves or hides one.
BUILTIN_REFERRALS = [
    ("kita", _l("Kita (day care)")),
    ("midwife", _l("Midwife")),
    ("paediatrician", _l("Paediatrician")),
    ("family_centre", _l("Family centre")),
    ("school", _l("School")),
    ("self", _l("Found it myself")),
    ("other", _l("Someone else")),
]
BUILTIN_LABELS = dict(BUILTIN_REFERRALS)


class SettingsError(Exception):
    """The key is taken or the record does not exist."""


@dataclass
class Referral:
    key: str
    names: dict[str, str]
    position: int
    is_active: bool

    def name_in(self, locale: str, fallback: str = "de") -> str:
        if self.names:
            return self.names.get(locale) or self.names.get(fallback) or self.key
        builtin = BUILTIN_LABELS.get(self.key)
        if builtin is None:
            return self.key
        with force_locale(locale):
            return str(builtin)

    @property
    def label(self) -> str:
        return self.name_in(str(get_locale()), current_app.config["DEFAULT_LOCALE"])


def referrals() -> list[Referral]:
    """Every referral source, built-in and added, hidden ones too, in their order (once a request)."""
    cached = g.get("_referrals")
    if cached is not None:
        return cached
    rows = {row.key: row for row in db.session.scalars(select(ReferralSource))}
    result = []
    for position, (key, _label) in enumerate(BUILTIN_REFERRALS):
        row = rows.pop(key, None)
        if row is None:
            result.append(Referral(key, {}, position, True))
        else:
            result.append(Referral(key, dict(row.names or {}), row.position, row.is_active))
    result += [Referral(r.key, dict(r.names or {}), r.position, r.is_active) for r in rows.values()]
    result.sort(key=lambda r: (r.position, r.key))
    g._referrals = result
    return result


def referral(key: str) -> Referral | None:
    return next((r for r in referrals() if r.key == key), None)


def save_referral(
    key: str, names: dict[str, str], position: int, active: bool, new: bool
) -> tuple[dict, dict]:
    """Add (new=True) or change a referral source; returns (old, new) values for the audit log."""
    current = referral(key)
    if new and current is not None:
        raise SettingsError(key)
    if not new and current is None:
        raise SettingsError(key)
    row = db.session.scalars(select(ReferralSource).where(ReferralSource.key == key)).first()
    old: dict = {}
    if current is not None:
        old = {"names": current.names, "position": current.position, "active": current.is_active}
    if row is None:
        row = ReferralSource(key=key)
        db.session.add(row)
    row.names, row.position, row.is_active = {k: v for k, v in names.items() if v}, position, active
    db.session.flush()
    g.pop("_referrals", None)
    return old, {"names": row.names, "position": position, "active": active}


def next_position(model: type[District] | type[Topic] | type[ReferralSource]) -> int:
    if model is ReferralSource:
        return max((r.position for r in referrals()), default=-1) + 1
    return (db.session.scalar(select(func.max(model.position))) or 0) + 1


def all_districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.position, District.id)))


def save_district(
    district_id: int | None, key: str, name: str, position: int, active: bool
) -> tuple[dict, dict]:
    """Add (no id) or change a district; the key of an existing one never changes."""
    if district_id is None:
        if db.session.scalars(select(District).where(District.key == key)).first() is not None:
            raise SettingsError(key)
        district = District(key=key)
        db.session.add(district)
        old: dict = {}
    else:
        found = db.session.get(District, district_id)
        if found is None:
            raise SettingsError(str(district_id))
        district = found
        old = {"name": district.name, "position": district.position, "active": district.is_active}
    district.name, district.position, district.is_active = name, position, active
    db.session.flush()
    return old, {"name": name, "position": position, "active": active}


def save_topic(topic: Topic, names: dict[str, str], position: int, active: bool) -> tuple[dict, dict]:
    old = {"names": dict(topic.names), "position": topic.position, "active": topic.is_active}
    topic.names, topic.position, topic.is_active = dict(names), position, active
    db.session.flush()
    return old, {"names": names, "position": position, "active": active}


def office_contact() -> OfficeContact | None:
    return db.session.scalars(select(OfficeContact).order_by(OfficeContact.id)).first()


OFFICE_FIELDS = ("office_name", "street", "postcode_city", "phone", "email")


def save_office_contact(values: dict[str, str], hours: dict[str, str]) -> tuple[dict, dict]:
    office = office_contact()
    old: dict = {}
    if office is None:
        office = OfficeContact()
        db.session.add(office)
    else:
        old = {name: getattr(office, name) for name in OFFICE_FIELDS} | {"hours": dict(office.hours)}
    for name in OFFICE_FIELDS:
        setattr(office, name, values[name])
    office.hours = {k: v for k, v in hours.items() if v}
    db.session.flush()
    return old, {name: values[name] for name in OFFICE_FIELDS} | {"hours": office.hours}


def load_office(entry: dict) -> bool:
    """The office's contact from the municipality file, only while none is stored (edits stay)."""
    if not entry or office_contact() is not None:
        return False
    db.session.add(
        OfficeContact(
            office_name=str(entry["name"]),
            street=str(entry["street"]),
            postcode_city=str(entry["postcode_city"]),
            phone=str(entry["phone"]),
            email=str(entry["email"]),
            hours={str(k): str(v) for k, v in entry.get("hours", {}).items()},
        )
    )
    db.session.flush()
    return True
