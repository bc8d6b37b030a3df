"""Show artwork: check the capture team's picture, or draw one from the show title.

Apple Podcasts (and most directories that copy its rules) reject a show whose
artwork is not a square JPEG or PNG, RGB, between 1400 and 3000 px a side. The
artwork is published as ``site/artwork.jpg`` (always JPEG, so the URL never changes
with the file type) and the feed points at ``config.url("artwork.jpg")``.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import logging
import unicodedata
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from ..fsutil import write_bytes_if_changed

log = logging.getLogger(__name__)

ARTWORK_NAME = "artwork.jpg"
MIN_SIDE, MAX_SIDE = 1400, 3000
DEFAULT_SIDE = 1400  # Apple's minimum keeps the file small for apps on slow networks
_FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")  # Debian's fonts-dejavu-core; wide script coverage


def validate_artwork(path: Path) -> None:
    """Raise ConfigError listing every way ``path`` breaks Apple's artwork rules."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as img:
            fmt, mode, (width, height) = img.format, img.mode, img.size
    except FileNotFoundError:
        raise ConfigError(['artwork file not found; fix the "artwork" path in learncast.toml'],
                          path=path) from None
    except (UnidentifiedImageError, OSError):
        raise ConfigError(["artwork is not a readable image; export it as a JPEG or PNG"], path=path) from None
    problems = []
    if fmt not in ("JPEG", "PNG"):
        problems.append(f"artwork is {fmt}, but podcast directories accept only JPEG or PNG; export it as JPEG")
    if mode != "RGB":
        problems.append(f"artwork colour mode is {mode}, but directories need RGB without transparency; "
                        "export it as an RGB JPEG (no alpha channel, not CMYK or greyscale)")
    if width != height:
        problems.append(f"artwork is {width}x{height} px but must be square; crop it to a square")
    side = max(width, height)
    if not MIN_SIDE <= side <= MAX_SIDE:
        problems.append(f"artwork is {side} px a side but must be {MIN_SIDE}-{MAX_SIDE} px; "
                        f"resize it to {DEFAULT_SIDE}x{DEFAULT_SIDE} px")
    if problems:
        raise ConfigError(problems, path=path)


def default_artwork(title: str, dest: Path, *, size: int = DEFAULT_SIDE) -> None:
    """Draw square artwork for a show that has none: the title, large, on a calm colour.

    The colour comes from the title, so different shows look different and the same
    show always gets the same bytes (nothing is rewritten while the title stays).
    The format follows ``dest``'s suffix (.png, else JPEG).
    """
    data = render_default_artwork(title, size=size, fmt="PNG" if Path(dest).suffix.lower() == ".png" else "JPEG")
    write_bytes_if_changed(Path(dest), data)


def render_default_artwork(title: str, *, size: int = DEFAULT_SIDE, fmt: str = "JPEG") -> bytes:
    """The bytes :func:`default_artwork` writes."""
    from PIL import Image, ImageDraw

    if not MIN_SIDE <= size <= MAX_SIDE:
        raise ValueError(f"artwork size must be {MIN_SIDE}-{MAX_SIDE} px, got {size}")
    # Emoji and pictographs (U+2600 up) have no glyph in text fonts: they'd draw as boxes.
    title = " ".join("".join(c for c in title if not (ord(c) >= 0x2600 and unicodedata.category(c) == "So"))
                     .split()) or "Podcast"
    hue = int(hashlib.sha256(title.encode("utf-8")).hexdigest()[:4], 16) / 0xFFFF
    background = _rgb(hue, 0.28, 0.45)
    accent = _rgb((hue + 0.5) % 1.0, 0.75, 0.62)

    img = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(img)
    margin = size // 10
    width = size - 2 * margin
    font, lines = _fit(draw, title, width, max_height=int(size * 0.55))
    line_h = _line_height(font)
    block_h = line_h * len(lines)
    y = (size - block_h) // 2
    bar_h = max(8, size // 90)
    draw.rectangle((margin, y - 3 * bar_h, margin + width // 4, y - 2 * bar_h), fill=accent)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=(255, 255, 255))
        y += line_h
    out = io.BytesIO()
    if fmt == "PNG":
        img.save(out, "PNG", optimize=True)
    else:
        img.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()


def _rgb(h: float, l: float, s: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(h, l, s)
    return int(r * 255), int(g * 255), int(b * 255)


def _font(size: int):
    from PIL import ImageFont

    for name in _FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)  # Pillow >= 10.1 ships a scalable default


def _line_height(font) -> int:
    ascent, descent = font.getmetrics()
    return int((ascent + descent) * 1.1)


def _fit(draw, title: str, width: int, max_height: int):
    """The largest font (and the wrapped lines) that fits the title in the box."""
    size = width // 4
    while True:
        font = _font(size)
        lines = _wrap(draw, title, font, width)
        if (all(draw.textlength(ln, font=font) <= width for ln in lines)
                and _line_height(font) * len(lines) <= max_height) or size <= 24:
            return font, lines
        size = int(size * 0.9)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Greedy word wrap by measured width; a word longer than a line gets a line to itself."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def publish_show_artwork(config: Config, site_dir: Path) -> str:
    """Put the show artwork at ``site/artwork.jpg`` and return its absolute URL.

    The configured artwork is validated (ConfigError listing every problem), then
    copied as is when it is a JPEG, or converted to JPEG when it is a PNG; with no
    artwork configured, one is drawn from the title. The file is only rewritten when
    its bytes change.
    """
    dest = Path(site_dir) / ARTWORK_NAME
    if config.artwork is None:
        if write_bytes_if_changed(dest, render_default_artwork(config.title)):
            log.info("drew show artwork %s from the title", dest)
        return config.url(ARTWORK_NAME)
    validate_artwork(config.artwork)
    from PIL import Image

    with Image.open(config.artwork) as img:
        fmt = img.format
        if fmt == "JPEG":
            data = Path(config.artwork).read_bytes()
        else:
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=92, optimize=True)
            data = out.getvalue()
    if write_bytes_if_changed(dest, data):
        log.info("published show artwork %s from %s", dest, config.artwork)
    return config.url(ARTWORK_NAME)


__all__ = [
    "ARTWORK_NAME",
    "default_artwork",
    "publish_show_artwork",
    "render_default_artwork",
    "validate_artwork",
]
