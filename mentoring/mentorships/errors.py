"""The one error the mentoring rules raise; `code` names the rule, the view words it."""


class MentoringError(Exception):
    """A rule was broken; `code` names it, the view words it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
