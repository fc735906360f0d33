"""QR codes for printed pages (flyers, the city magazine, a confirmation on paper)."""

import segno
from markupsafe import Markup, escape


def qr_svg(url: str, label: str) -> Markup:
    """An inline SVG QR code for `url`; `label` becomes its title for screen readers."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=3, title=str(escape(label)), svgclass="qr", lineclass=None)
    return Markup(svg)  # noqa: S704 (segno's own SVG; the title is escaped above)
