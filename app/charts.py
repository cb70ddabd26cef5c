"""Charts drawn on the server as SVG: geometry here, markup in templates/dashboard/charts.html.

No script and nothing from outside (the panel runs without internet, FAB_NOTES hazard 14): the SVG
scales with its box, prints as vectors, and uses the system's Chinese fonts. Every bar can link to
the filtered list behind it.
"""
from dataclasses import dataclass, field
from typing import Optional

ROW, GAP = 22, 6          # bar row height and gap, px of the viewBox
LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 120, 300, 130
PYRAMID_ROW, PYRAMID_SIDE, PYRAMID_AXIS = 15, 230, 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: Optional[str] = None


@dataclass
class BarRow:
    bar: Bar
    y: int
    width: float
    share: float


@dataclass
class BarChart:
    title: str
    rows: list = field(default_factory=list)
    width: int = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height: int = 0
    row_height: int = ROW
    label_width: int = LABEL_WIDTH


def bar_chart(title: str, bars: list[Bar]) -> BarChart:
    """Horizontal bars, one row per item, scaled to the largest value, with count and share."""
    top = max((b.value for b in bars), default=0) or 1
    total = sum(b.value for b in bars) or 1
    rows = [BarRow(b, i * (ROW + GAP), BAR_WIDTH * b.value / top, b.value / total)
            for i, b in enumerate(bars)]
    return BarChart(title, rows, height=max(len(rows) * (ROW + GAP) - GAP, ROW))


@dataclass
class PyramidRow:
    label: str
    y: int
    male: Bar
    female: Bar
    male_width: float
    female_width: float


@dataclass
class Pyramid:
    title: str
    rows: list
    side: int = PYRAMID_SIDE
    axis: int = PYRAMID_AXIS
    row_height: int = PYRAMID_ROW
    header: int = 20
    width: int = 2 * PYRAMID_SIDE + PYRAMID_AXIS
    height: int = 0


def pyramid(title: str, bands: list[tuple[str, Bar, Bar]]) -> Pyramid:
    """Population pyramid: (band label, male bar, female bar) from the youngest band up; the oldest
    band is drawn on top. Both sides share one scale."""
    top = max((max(m.value, f.value) for _, m, f in bands), default=0) or 1
    scale = (PYRAMID_SIDE - 50) / top
    header = Pyramid.header
    rows = [PyramidRow(label, header + i * (PYRAMID_ROW + 2), male, female,
                       male.value * scale, female.value * scale)
            for i, (label, male, female) in enumerate(reversed(bands))]
    return Pyramid(title, rows, height=header + len(rows) * (PYRAMID_ROW + 2))
