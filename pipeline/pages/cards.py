"""Quote cards: one PNG per key quote, for sharing (``og:image``) and beside the quote.

A card shows the quote's words (wrapped, and shortened with an ellipsis when a long
quote would not fit), who said it and their role, and the show's name. The words are
the published quote's, which :mod:`pipeline.quotes` read from the *redacted* transcript
and which never span a cut; only published episodes reach the pages, so a withheld
interview has no card. The text drawn is also the card's alt text and is kept in the
PNG's ``Description`` chunk, so what a card says can be checked without reading pixels.

A card's file name carries a key of everything it is drawn from, so a card is drawn
only when one of those changed (an unchanged card costs one ``stat``), and the same
inputs always give the same bytes (Pillow's PNG writer stores no date). Cards of
quotes no longer chosen are removed.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..fsutil import write_bytes_if_changed

log = logging.getLogger(__name__)

CARD_VERSION = 1  # raise when the drawing changes, so every card is drawn again
WIDTH, HEIGHT = 1200, 630  # what Open Graph and most sites show large
CARD_GLOB = "quote-card-*.png"
_CARD_NAME = re.compile(r"^quote-card-[0-9a-f]{16}\.png$")
_SERIF = ("DejaVuSerif.ttf",)
_SANS = ("DejaVuSans.ttf",)
_SANS_BOLD = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")
MARGIN = 72
QUOTE_SIZES = (58, 52, 46, 41, 37, 33, 30)  # tried largest first
ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class Card:
    """One quote's card, as a page shows it."""

    name: str  # the PNG's file name, beside the episode page
    text: str  # the words drawn (the quote, shortened with "…" when it did not fit)
    who: str  # "Jane Doe, Head of Adult Social Care"
    alt: str  # the alt text: the words drawn and who said them
    width: int = WIDTH
    height: int = HEIGHT
    src: str = ""  # the link to it from a page in a language's folder ("": beside the page, ``name``)

    @property
    def href(self) -> str:
        return self.src or self.name


def _printable(text: str) -> str:
    """Text fonts have no emoji or pictographs (they would draw as boxes); spaces collapsed."""
    kept = "".join(c for c in text if not (ord(c) >= 0x2600 and unicodedata.category(c) == "So"))
    return " ".join("".join(c for c in kept if unicodedata.category(c) != "Cc").split())


def who_line(speaker: str, role: str) -> str:
    return ", ".join(p for p in (_printable(speaker), _printable(role)) if p)


def card_key(text: str, who: str, show: str) -> str:
    """The key of everything a card is drawn from (also in its file name)."""
    raw = repr((CARD_VERSION, WIDTH, HEIGHT, text, who, show))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def alt_text(text: str, who: str) -> str:
    return f"\u201c{text}\u201d \u2014 {who}" if who else f"\u201c{text}\u201d"


def plan(quote_text: str, speaker: str, role: str, show: str) -> tuple[Card, str]:
    """The card for one quote (its name and the words it will show), and the show line."""
    words = _printable(quote_text)
    who = who_line(speaker, role)
    show = _printable(show)
    drawn = _layout(words)[0]
    text = " ".join(drawn)
    name = f"quote-card-{card_key(words, who, show)}.png"
    return Card(name=name, text=text, who=who, alt=alt_text(text, who)), show


# ---------------------------------------------------------------- drawing


def _font(names: tuple[str, ...], size: int):
    from PIL import ImageFont

    for name in names:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)  # Pillow >= 10.1 ships a scalable default


def _wrap(text: str, font, width: int) -> list[str]:
    """Greedy word wrap by measured width; a word longer than a line gets a line to itself."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _line_height(font) -> int:
    ascent, descent = font.getmetrics()
    return int((ascent + descent) * 1.18)


def _quote_box() -> tuple[int, int]:
    """The width and height the quote's lines may take (below the mark, above the credits)."""
    return WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 70 - 96


def _layout(words: str):
    """(lines, font): the largest size at which the quote fits, shortened at the smallest."""
    width, height = _quote_box()
    for size in QUOTE_SIZES:
        font = _font(_SERIF, size)
        lines = _wrap(words, font, width)
        if _line_height(font) * len(lines) <= height:
            return lines, font
    font = _font(_SERIF, QUOTE_SIZES[-1])
    most = max(1, height // _line_height(font))
    tokens = words.split()
    while tokens:  # drop words from the end until the lines (with "…") fit
        lines = _wrap(" ".join(tokens) + ELLIPSIS, font, width)
        if len(lines) <= most:
            return lines, font
        tokens = tokens[:-max(1, (len(lines) - most) * 4)]
    return [ELLIPSIS], font


def _colours(show: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    hue = int(hashlib.sha256(show.encode("utf-8")).hexdigest()[:4], 16) / 0xFFFF
    rgb = [colorsys.hls_to_rgb(h, light, sat) for h, light, sat in ((hue, 0.22, 0.45), ((hue + 0.5) % 1.0, 0.66, 0.75))]
    return tuple(tuple(int(c * 255) for c in col) for col in rgb)  # type: ignore[return-value]


def render(card: Card, show: str) -> bytes:
    """The PNG bytes of ``card`` (the same bytes for the same card)."""
    from PIL import Image, ImageDraw, PngImagePlugin

    background, accent = _colours(show)
    img = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(img)
    lines, font = _layout(card.text)  # the words plan() chose fit, so none is dropped here
    draw.rectangle((0, 0, 16, HEIGHT), fill=accent)
    draw.text((MARGIN - 8, MARGIN - 40), "\u201c", font=_font(_SERIF, 140), fill=accent)
    box_height = _quote_box()[1]
    y = MARGIN + 70 + max(0, (box_height - _line_height(font) * len(lines)) // 3)  # a little above the middle
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=(255, 255, 255))
        y += _line_height(font)
    credit = _font(_SANS_BOLD, 30)
    small = _font(_SANS, 24)
    if card.who:
        draw.text((MARGIN, HEIGHT - MARGIN - 66), _fit_line("\u2014 " + card.who, credit), font=credit,
                  fill=(255, 255, 255))
    draw.text((MARGIN, HEIGHT - MARGIN - 20), _fit_line(show, small), font=small, fill=accent)
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Description", card.alt)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def _fit_line(text: str, font) -> str:
    """One line that fits the card's width, shortened with "…" when it would not."""
    width = WIDTH - 2 * MARGIN
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + ELLIPSIS) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


# ---------------------------------------------------------------- the files


def write_cards(folder: Path, cards: Iterable[tuple[Card, str]]) -> list[Path]:
    """Draw each card into ``folder`` unless it is there already; remove cards no longer wanted.

    Returns the card files (drawn now or already up to date).
    """
    folder = Path(folder)
    kept: list[Path] = []
    for card, show in cards:
        path = folder / card.name
        if not path.is_file():
            if write_bytes_if_changed(path, render(card, show)):
                log.info("drew quote card %s", path)
        kept.append(path)
    for old in folder.glob(CARD_GLOB) if folder.is_dir() else ():
        if _CARD_NAME.match(old.name) and old not in kept:
            old.unlink(missing_ok=True)
            log.info("removed quote card %s (its quote changed or was removed)", old)
    return kept


__all__ = ["CARD_VERSION", "Card", "HEIGHT", "WIDTH", "alt_text", "plan", "render", "write_cards", "who_line"]
