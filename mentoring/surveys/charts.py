"""Bar charts drawn on the server as SVG: no script, no external service; the table is the alternative."""

from dataclasses import dataclass

from mentoring.surveys.reports import Row, shown

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
CHART_WIDTH = 560
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the number, or "<5" for a hidden cell
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH


def bar_chart(
    rows: list[Row], column: str, labels: dict[str, str], hidden_text: str, scale_max: float | None = None
) -> Chart:
    """One bar per row; `scale_max` fixes the full length (5 for a 1–5 mean), else the largest value."""
    values = [shown(row, column) for row in rows]
    largest = scale_max or max((v for v in values if v), default=0)
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=labels.get(row.key, row.key),
            text=hidden_text if column in row.hidden else format(value or 0, "g"),
            y=index * (BAR_HEIGHT + GAP),
            width=round(room * value / largest) if value and largest else 0,
        )
        for index, (row, value) in enumerate(zip(rows, values, strict=True))
    ]
    return Chart(bars=bars, height=max(len(bars), 1) * (BAR_HEIGHT + GAP))
