"""Share cards: the picture a link to the site shows where it is shared (Open Graph's and
Twitter's image), 1200 × 630 PNG, drawn on the server in the page's language.

A pledge's card gives its title, verdict and progress in the words its page uses; every other
page shares the site's card (its name and standfirst). One font covers the three languages:
Noto Sans CJK SC (Latin, Cyrillic and Chinese; SIL Open Font License), installed from PyPI with
`mplfonts`, which only carries the file here (requirements-fonts.txt). `PLEDGES_CARD_FONT` names
another font file, for a machine that has one. Cards are kept, like pages, under the public
data version (views.cached), so each is drawn once per version and language.
"""

import importlib.util
import re
from functools import cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
INK, MUTED, PAPER, BAR, TRACK = "#1b1b1b", "#555555", "#ffffff", "#1f5fa8", "#dfe6ee"
# The verdict badges' colours, as the site's stylesheet gives them (background, text).
VERDICT_COLOURS = {
    "kept": ("#cfeccf", "#0f3d20"),
    "partially_kept": ("#e2f0c1", "#2f4409"),
    "in_progress": ("#d6e4fa", "#0e3563"),
    "stalled": ("#fbe6bd", "#5a3602"),
    "broken": ("#f7d2d1", "#6d1717"),
}
NOT_RATED = ("#e6e6e6", "#333333")
# A line breaks between words or, in a script written without spaces (Chinese, Japanese), between
# any two characters.
_UNSPACED = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_PIECES = re.compile(rf"[{_UNSPACED}]|[^\s{_UNSPACED}]+\s*|\s+")


def font_path():
    if settings.PLEDGES_CARD_FONT:
        return settings.PLEDGES_CARD_FONT
    # Found, not imported: mplfonts' own code needs matplotlib, which is not installed.
    package = importlib.util.find_spec("mplfonts")
    if package is None or package.origin is None:
        raise ImproperlyConfigured("No font for the share cards: pip install --no-deps -r requirements-fonts.txt")
    return str(Path(package.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf")


@cache
def _font(size):
    return ImageFont.truetype(font_path(), size)


def wrapped(text, font, width, max_lines):
    """`text` in lines no wider than `width`, at most `max_lines` (the last ends "…" if cut)."""
    lines, line = [], ""
    for piece in _PIECES.findall(" ".join(str(text).split())):
        if line and font.getlength((line + piece).rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


def _canvas(site_name):
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 12), fill=BAR)
    draw.text((MARGIN, 48), str(site_name), font=_font(30), fill=MUTED)
    return image, draw


def _png(image):
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _lines(draw, lines, font, top, fill, spacing):
    for line in lines:
        draw.text((MARGIN, top), line, font=font, fill=fill)
        top += font.size + spacing
    return top


def pledge_card(*, site_name, title, verdict, verdict_label, progress="", share=None, address=""):
    """A pledge's card: its title, its verdict as a badge, its progress in words and, where there
    is a share of the target, as a bar. Every text comes in the reader's language."""
    image, draw = _canvas(site_name)
    width = WIDTH - 2 * MARGIN
    top = _lines(draw, wrapped(title, _font(58), width, 3), _font(58), 110, INK, 16) + 24
    background, colour = VERDICT_COLOURS.get(verdict, NOT_RATED)
    badge = _font(36)
    label_width = badge.getlength(str(verdict_label))
    draw.rounded_rectangle((MARGIN, top, MARGIN + label_width + 40, top + 60), radius=10, fill=background)
    draw.text((MARGIN + 20, top + 8), str(verdict_label), font=badge, fill=colour)
    top += 90
    if progress:
        top = _lines(draw, wrapped(progress, _font(30), width, 2), _font(30), top, MUTED, 10) + 10
    if share is not None:
        filled = max(0.0, min(float(share), 100.0)) / 100
        draw.rounded_rectangle((MARGIN, top, WIDTH - MARGIN, top + 24), radius=12, fill=TRACK)
        if filled:
            draw.rounded_rectangle((MARGIN, top, MARGIN + max(24, width * filled), top + 24), radius=12, fill=BAR)
    draw.text((MARGIN, HEIGHT - 64), address, font=_font(24), fill=MUTED)
    return _png(image)


def site_card(*, site_name, standfirst, address=""):
    """The card of every other page: the site's name and what it does."""
    image, draw = _canvas(site_name)
    _lines(draw, wrapped(standfirst, _font(46), WIDTH - 2 * MARGIN, 6), _font(46), 130, INK, 18)
    draw.text((MARGIN, HEIGHT - 64), address, font=_font(24), fill=MUTED)
    return _png(image)
