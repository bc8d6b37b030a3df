"""Times as people type them: ``75``, ``75.5``, ``"1:15"``, ``"0:01:15.5"``.

One reader for every place a person gives a time (redactions, chapter corrections, the
command line), so the same text means the same second everywhere.
"""

from __future__ import annotations

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
