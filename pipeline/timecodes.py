"""Times as people type them: ``75``, ``75.5``, ``"1:15"``, ``"0:01:15.5"``, and as they read them.

One reader for every place a person gives a time (redactions, chapter corrections, the
command line), so the same text means the same second everywhere; and one formatter,
:func:`clock`, for every place Learncast shows or writes one (pages, show notes, messages,
the files a person edits).
"""

from __future__ import annotations

import math
import re
from typing import Any


def parse_time(value: Any) -> float:
    """Seconds (to the millisecond) from 75, 75.5, "75", "1:15", "0:01:15" or "1:15.5"."""
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("times cannot be negative")
        return round(float(value), 3)
    text = str(value).strip()
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        raise ValueError(f'not a time: "{text}" (use SS, MM:SS or HH:MM:SS)')
    if any("." in p for p in parts[:-1]) or any(float(p) >= 60 for p in parts[1:]):
        raise ValueError(f'not a time: "{text}" (minutes and seconds after a ":" are below 60)')
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + float(p)
    return round(seconds, 3)


def clock(seconds: float | None, *, places: int = 0, trim: bool = True, floor: bool = False,
          hours: bool = True, pad: bool = False, none: str | None = None) -> str:
    """A time as people read it: ``M:SS``, or ``H:MM:SS`` from an hour; parse_time reads it back.

    The one formatter of times; what each caller needs is a parameter:

    * ``places``: decimals of a second kept, 0 to 3 (a zero fraction is never shown);
    * ``trim``: drop a fraction's trailing zeros (``"0:02.5"``); False keeps ``places``
      digits (``"0:02.500"``);
    * ``floor``: cut down to the place, as a player's display does, instead of rounding;
    * ``hours``: False counts the minutes on past 59 (``"62:05"``) instead of showing hours;
    * ``pad``: minutes always take two digits (``"05:07"``);
    * ``none``: what ``None`` gives (without it, ``None`` is an error).

    Times before 0 read as 0.
    """
    if seconds is None:
        if none is None:
            raise TypeError("clock() needs a time, got None")
        return none
    if not 0 <= places <= 3:
        raise ValueError(f"places must be 0 to 3, got {places}")
    seconds = max(0.0, float(seconds))
    if floor:
        seconds = math.floor(seconds * 10**places) / 10**places
    elif places < 3:
        seconds = round(seconds, places)  # to the place first, then to the millisecond
    whole, ms = divmod(int(round(seconds * 1000)), 1000)
    h, rest = divmod(whole, 3600) if hours else (0, whole)
    m, s = divmod(rest, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h else (f"{m:02d}:{s:02d}" if pad else f"{m}:{s:02d}")
    fraction = f"{ms:03d}"[:places]
    if trim:
        fraction = fraction.rstrip("0")
    return f"{text}.{fraction}" if fraction.strip("0") else text
