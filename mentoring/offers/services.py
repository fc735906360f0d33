"""Finding current offers, the blind-spot grid, and CSV import/export (all or nothing)."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.datastructures import MultiDict

from mentoring.db import has_tag
from mentoring.extensions import db
from mentoring.forms import filled
from mentoring.offers.forms import TRANSLATED, OfferForm
from mentoring.offers.models import CHAIN, Offer

MAX_IMPORT_ROWS = 2000
LIST_COLUMNS = ("age_groups", "districts", "languages", "topics")  # "a;b;c" in the CSV
CSV_COLUMNS = (
    "title_de",
    "description_de",
    "provider",
    "kind",
    "age_groups",
    "districts",
    "address",
    "opening_times",
    "contact",
    "cost",
    "languages",
    "topics",
    "valid_from",
    "valid_until",
    *(f"{field}_{code}" for code in TRANSLATED for field in ("title", "description")),
)


@dataclass(frozen=True)
class OfferFilter:
    district: str | None = None
    age_group: str | None = None
    topic: str | None = None
    text: str | None = None


def is_current(today: date):
    """Offers whose time has come and not yet gone: expired ones disappear by themselves."""
    return (Offer.valid_from <= today) & or_(Offer.valid_until.is_(None), Offer.valid_until >= today)


def find_offers(filters: OfferFilter, today: date, limit: int = 200) -> list[Offer]:
    query = select(Offer).where(is_current(today)).order_by(Offer.provider, Offer.id).limit(limit)
    if filters.district:
        query = query.where(or_(has_tag(Offer.districts, filters.district), Offer.districts == ""))
    if filters.age_group:
        query = query.where(has_tag(Offer.age_groups, filters.age_group))
    if filters.topic:
        query = query.where(has_tag(Offer.topics, filters.topic))
    if filters.text:
        pattern = filters.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Offer.search_text.like(f"%{pattern}%", escape="\\"))
    return list(db.session.scalars(query))


def all_offers(for_export: bool = False) -> list[Offer]:
    """Every offer: for the coordinators' list (current first, by provider) or the CSV (by id)."""
    order = (Offer.id,) if for_export else (Offer.valid_until.is_(None), Offer.provider)
    return list(db.session.scalars(select(Offer).order_by(*order)))


def get_offer(offer_id: int) -> Offer | None:
    return db.session.get(Offer, offer_id)


def search_text(offer: Offer) -> str:
    parts = [*offer.titles.values(), *offer.descriptions.values(), offer.provider or "", offer.address or ""]
    return " ".join(parts).lower()


def fill_offer(offer: Offer, form: OfferForm) -> Offer:
    """Copy a checked form (typed or from a CSV row) into the offer."""
    offer.titles, offer.descriptions = form.translations()
    offer.provider = form.provider.data
    offer.kind = form.kind.data
    offer.age_groups = [group for group in CHAIN if group in (form.age_groups.data or [])]
    offer.districts = sorted(form.districts.data or [])
    offer.address = form.address.data or ""
    offer.opening_times = form.opening_times.data or ""
    offer.contact = form.contact.data or ""
    offer.cost = form.cost.data
    offer.languages = form.languages.data or []
    offer.topics = form.topics.data or []
    offer.valid_from = filled(form.valid_from.data)
    offer.valid_until = form.valid_until.data
    offer.search_text = search_text(offer)
    return offer


def gaps(today: date, district_keys: list[str]) -> dict[tuple[str, str], int]:
    """Current offers per district and age group; a city-wide offer counts in every district."""
    grid = {(district, group): 0 for district in district_keys for group in CHAIN}
    rows = db.session.execute(select(Offer.districts, Offer.age_groups).where(is_current(today)))
    for districts, groups in rows:
        for district in districts or district_keys:
            for group in groups:
                if (district, group) in grid:
                    grid[district, group] += 1
    return grid


# CSV -----------------------------------------------------------------------------------------------


def export_csv(offers: Sequence[Offer]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for offer in offers:
        values = offer.facts() | {
            "valid_from": offer.valid_from.isoformat(),
            "valid_until": offer.valid_until.isoformat() if offer.valid_until else "",
        }
        values |= {column: ";".join(values[column]) for column in LIST_COLUMNS}
        for code, text in offer.titles.items():
            values[f"title_{code}"] = text
        for code, text in offer.descriptions.items():
            values[f"description_{code}"] = text
        writer.writerow([spreadsheet_safe(values.get(column, "")) for column in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def row_form(row: dict[str, str], prepare) -> OfferForm:
    data: MultiDict[str, str] = MultiDict()
    for column, value in row.items():
        if column is None or value is None:
            continue
        value = value.lstrip("'") if value[:2] in {"'=", "'+", "'-", "'@"} else value
        if column in LIST_COLUMNS:
            for item in value.split(";"):
                if item.strip():
                    data.add(column, item.strip())
        else:
            data.add(column, value)
    return prepare(OfferForm(formdata=data, meta={"csrf": False}))


def import_csv(text: str, prepare) -> tuple[int, list[tuple[int, str]]]:
    """Read every row first; if any row is wrong, nothing is imported and each problem names its line.

    `prepare` sets the choices (districts, languages, topics) on each row's form, as on the page.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [
        c
        for c in ("title_de", "description_de", "provider", "kind", "valid_from")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        return 0, [(1, _("These columns are missing: %(columns)s", columns=", ".join(missing)))]
    problems: list[tuple[int, str]] = []
    offers: list[Offer] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(offers) + len(problems) >= MAX_IMPORT_ROWS:
                problems.append((line, _("Too many rows: at most %(num)d at once.", num=MAX_IMPORT_ROWS)))
                break
            form = row_form(row, prepare)
            if form.validate():
                offers.append(fill_offer(Offer(), form))
            else:
                for field_name, messages in form.errors.items():
                    label = form[field_name].label.text
                    problems += [(line, f"{label}: {message}") for message in messages]
    except csv.Error:
        problems.append((reader.line_num, _("This line is not valid CSV.")))
    if problems or not offers:
        return 0, problems or [(1, _("The file has no offers."))]
    db.session.add_all(offers)
    db.session.flush()
    return len(offers), []
