"""Build hook: compile the message catalogs (.po -> .mo), then carry the top-level files in the wheel.

A wheel without the .mo files would serve every language in English, so the build makes them
itself, the same way `make compile-translations` does (the .mo files are not committed). The
top-level files listed as `bundle` in pyproject.toml go to `mentoring/_bundle/` in the wheel.
"""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # the checkout compiles with `make compile-translations`
        from babel.messages.frontend import CommandLineInterface

        translations = Path(self.root) / "translations"
        CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(translations)])
        catalogs = translations.glob("*/LC_MESSAGES/messages.po")
        missing = [po for po in catalogs if not po.with_suffix(".mo").is_file()]
        if missing:
            raise RuntimeError(f"catalogs not compiled: {missing}")
        for name in self.config["bundle"]:
            build_data["force_include"][str(Path(self.root) / name)] = f"mentoring/_bundle/{name}"
