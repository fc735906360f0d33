"""Redaction of parents' comments: a pure function, so no app and no database."""

import pytest

from mentoring.surveys.redaction import Placeholders, name_words, redact

NAMES = name_words(["Sabine Kaya", "Ayşe Yılmaz", "anna.k", "Familie Demir", "محمد", "theparent", "Li", None])


def test_name_words_are_folded_long_enough_and_not_the_programmes_vocabulary():
    assert {"sabine", "kaya", "ayse", "yilmaz", "anna", "demir", "محمد", "theparent"} == NAMES


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rufen Sie mich an: 0208 825-9376.", "Rufen Sie mich an: [phone]."),
        ("Mobil +49 176 12345678 bitte", "Mobil [phone] bitte"),
        ("Tel. 0176/1234567", "Tel. [phone]"),
        ("(0208) 825 93 76 oder 02088259376", "[phone] oder [phone]"),
        ("Türkiye: +90 532 123 45 67, UK 0044 20 7946 0958", "Türkiye: [phone], UK [phone]"),
        ("Numaram 0532 123 45 67, teşekkürler", "Numaram [phone], teşekkürler"),
        ("رقمي ٠١٧٦١٢٣٤٥٦٧ شكرا", "رقمي [phone] شكرا"),
        ("Schreiben Sie an ayla.k+test@example.org!", "Schreiben Sie an [e-mail]!"),
        ("mail: eltern@stadt-oberhausen.de", "mail: [e-mail]"),
    ],
)
def test_phone_numbers_and_addresses_are_hidden(text, expected):
    assert redact(text, frozenset()) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Frau Sabine KAYA war sehr freundlich.", "Frau [name] [name] war sehr freundlich."),
        (
            "Ayşe hanım çok yardımcı oldu. AYSE, ayse, YILMAZ",
            "[name] hanım çok yardımcı oldu. [name], [name], [name]",
        ),
        ("شكرا محمد على المساعدة", "شكرا [name] على المساعدة"),
        ("Anna-Lena und Familie Demir", "[name]-Lena und Familie [name]"),
    ],
)
def test_known_names_are_hidden_as_whole_words_in_any_case(text, expected):
    assert redact(text, NAMES) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Am 12.03.2026 um 10:30 Uhr, Zimmer 12, 3 Kinder, 1.250 Euro.",
        "Termin am 2026-11-30 war gut.",
        "Kayak fahren, Sabines Idee, Annahme",  # longer words that contain a name stay
        "Die Familie und die Eltern waren froh.",
        "Li hat geholfen.",  # names shorter than three letters are not matched
    ],
)
def test_ordinary_text_dates_and_small_numbers_stay(text):
    assert redact(text, NAMES) == text


def test_placeholders_are_the_callers_and_an_address_is_one_placeholder():
    words = Placeholders(name="[Name]", phone="[Telefon]", email="[E-Mail]")
    text = "Kaya: kaya.sabine@example.org, 0176 1234567"
    assert redact(text, NAMES, words) == "[Name]: [E-Mail], [Telefon]"
