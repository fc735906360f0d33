"""Every shipped language is complete, and the committed template matches the source."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from config import Config
from mentoring.i18n import catalogs

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def catalog(code: str):
    with open(ROOT / "translations" / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=code)


@pytest.mark.parametrize("code", Config.LANGUAGES)
def test_shipped_catalog_is_complete_with_no_fuzzy_entry(code):
    problems = []
    entries = [message for message in catalog(code) if message.id]
    assert entries, f"{code} catalog is empty"
    for message in entries:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("code", Config.LANGUAGES)
def test_placeholders_and_plural_forms_match(code):
    cat = catalog(code)
    problems = []
    for message in cat:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for text in strings:
            if sorted(set(PLACEHOLDER.findall(text))) != expected:
                problems.append(f"placeholders differ: {message.id!r} → {text!r}")
        if isinstance(message.id, tuple) and len(strings) != cat.num_plurals:
            problems.append(f"needs {cat.num_plurals} plural forms: {message.id!r}")
    assert problems == []


def test_catalog_template_is_up_to_date(tmp_path):
    """A string added to the code but not extracted would never be translated."""
    fresh = tmp_path / "messages.pot"
    catalogs.extract(fresh)
    with open(fresh, "rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    with open(ROOT / "translations" / "messages.pot", "rb") as handle:
        committed = {message.id for message in read_po(handle) if message.id}
    assert sorted(map(str, extracted - committed)) == [], "run `make translations`"
    assert sorted(map(str, committed - extracted)) == [], "run `make translations`"
    # Shared building blocks (layout, form macros) must be in the catalog too.
    for needed in ("Skip to main content", "There is a problem", "required"):
        assert needed in extracted
    for code in Config.LANGUAGES:
        in_catalog = {message.id for message in catalog(code) if message.id}
        assert extracted <= in_catalog, f"{code}: run `make translations` and translate"


def test_the_glossary_has_a_section_for_every_shipped_language():
    glossary = (ROOT / "translations" / "GLOSSARY.md").read_text("utf-8")
    for code in Config.LANGUAGES:
        assert f"(`{code}`)" in glossary, code


def test_all_twelve_languages_are_shipped_with_persian_and_arabic_right_to_left():
    from mentoring.i18n.languages import KNOWN_LANGUAGES

    assert set(Config.LANGUAGES) == set(KNOWN_LANGUAGES)
    assert {code for code in Config.LANGUAGES if KNOWN_LANGUAGES[code].direction == "rtl"} == {"ar", "fa"}
