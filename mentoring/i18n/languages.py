"""Every language the platform can speak, named in its own script, with its writing direction."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    direction: str = "ltr"


KNOWN_LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("de", "Deutsch"),
        Language("en", "English"),
        Language("tr", "Türkçe"),
        Language("ar", "العربية", "rtl"),
        Language("uk", "Українська"),
        Language("ru", "Русский"),
        Language("pl", "Polski"),
        Language("ro", "Română"),
        Language("bg", "Български"),
        Language("fa", "فارسی", "rtl"),
        Language("ku", "Kurdî (Kurmancî)"),
        Language("sq", "Shqip"),
    )
}
