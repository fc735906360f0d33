"""Load and read the municipality's reference data."""

import json
from pathlib import Path

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.reference.models import District, Topic
from mentoring.reference.settings import load_office


class ReferenceDataError(Exception):
    """The data file is missing or not in the expected shape."""


def read_json(path: str | Path) -> dict:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ReferenceDataError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{path}: expected a JSON object")
    return data


def load_districts(entries: list[dict]) -> int:
    """Insert or rename districts by key, in file order; districts no longer listed are hidden."""
    existing = {d.key: d for d in db.session.scalars(select(District))}
    for position, entry in enumerate(entries):
        key, name = str(entry["key"]), str(entry["name"])
        district = existing.pop(key, None) or District(key=key)
        district.name, district.position, district.is_active = name, position, True
        db.session.add(district)
    for gone in existing.values():
        gone.is_active = False
    db.session.flush()
    return len(entries)


def load_topics(entries: list[dict]) -> int:
    """Insert or update topics by key; names are a {locale: name} mapping."""
    existing = {t.key: t for t in db.session.scalars(select(Topic))}
    for position, entry in enumerate(entries):
        key = str(entry["key"])
        topic = existing.pop(key, None) or Topic(key=key)
        topic.names = {str(k): str(v) for k, v in entry["names"].items()}
        topic.position, topic.is_active = position, True
        db.session.add(topic)
    db.session.flush()
    return len(entries)


def load_reference_file(path: str | Path) -> tuple[int, int]:
    """Load a municipality file {"districts": [...], "topics": [...], "office": {...}}.

    Returns the numbers of districts and topics.

    The office's contact is loaded only while none is stored, so a coordinator's edits stay.
    """
    data = read_json(path)
    try:
        counts = load_districts(data.get("districts", [])), load_topics(data.get("topics", []))
        load_office(data.get("office") or {})
        return counts
    except (KeyError, TypeError, AttributeError) as error:
        raise ReferenceDataError(f"{path}: entry without key/name(s): {error}") from error


def list_districts() -> list[District]:
    return list(db.session.scalars(select(District).where(District.is_active).order_by(District.position)))


def list_topics() -> list[Topic]:
    return list(db.session.scalars(select(Topic).where(Topic.is_active).order_by(Topic.position)))


class TopicError(Exception):
    """The key is taken or not usable."""


def add_topic(key: str, names: dict[str, str]) -> Topic:
    """A new topic with a name in every shipped language; raise TopicError for a taken key."""
    if db.session.scalars(select(Topic).where(Topic.key == key)).first() is not None:
        raise TopicError(key)
    position = len(list_all_topics())
    topic = Topic(key=key, names=names, position=position, is_active=True)
    db.session.add(topic)
    db.session.flush()
    return topic


def list_all_topics() -> list[Topic]:
    return list(db.session.scalars(select(Topic).order_by(Topic.position, Topic.id)))


def set_topic_active(topic_id: int, active: bool) -> Topic | None:
    topic = db.session.get(Topic, topic_id)
    if topic is not None:
        topic.is_active = active
        db.session.flush()
    return topic
