"""The studio's key quotes: a thin layer over :mod:`pipeline.quotes`, as ``learncast quote`` uses it.

``GET /api/recordings/{slug}/quotes`` answers the recording's quotes with their words (read
from the transcript with its redactions applied, as the build reads them); ``POST`` with
``{"start", "end", "note"}`` adds one (snapped to word boundaries; refused, writing nothing,
when it overlaps a redaction or is too long); ``DELETE .../quotes/{n}`` removes the nth.
Each change is written to ``transcripts/<slug>/quotes.toml`` with its comments kept.
"""

from __future__ import annotations

from typing import Any

from .. import quotes as qt
from .. import timecodes
from ..errors import UsageError
from ..workspace import Workspace, file_lock

MAX_NOTE = 300
LOCK_TIMEOUT = 5.0


def quotes_data(ws: Workspace, slug: str) -> dict[str, Any]:
    entries = qt.load_quotes(ws.transcript_dir(slug))
    transcript, _ = qt.current_transcript(ws, slug)
    return {"quotes": [{"n": i, "start": e.start, "end": e.end, "note": e.note, "text": text,
                        "describe": f"{timecodes.clock(e.start, places=1)}-{timecodes.clock(e.end, places=1)}"}
                       for i, (e, text) in enumerate(qt.with_text(entries, transcript), 1)]}


def _seconds(body: dict[str, Any], key: str) -> float:
    value = body.get(key)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e7:
        raise UsageError(f'"{key}" must be a time in seconds', fix="select the words of the quote again")
    return float(value)


def add_quote(ws: Workspace, slug: str, body: dict[str, Any]) -> dict[str, Any]:
    start, end = _seconds(body, "start"), _seconds(body, "end")
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise UsageError(f"the note must be text of at most {MAX_NOTE} characters", fix="shorten the note")
    folder = ws.transcript_dir(slug)
    with file_lock(ws, slug, timeout=LOCK_TIMEOUT):
        entries = qt.load_quotes(folder)
        transcript, cuts = qt.current_transcript(ws, slug)
        span = qt.choose_span(transcript, cuts, start=start, end=end)
        entries.append(qt.QuoteEntry(span[0], span[1], " ".join(note.split())))
        qt.save_quotes(folder, entries)
    return quotes_data(ws, slug)


def delete_quote(ws: Workspace, slug: str, n: int) -> dict[str, Any]:
    folder = ws.transcript_dir(slug)
    with file_lock(ws, slug, timeout=LOCK_TIMEOUT):
        entries = qt.remove(qt.load_quotes(folder), [n], folder / qt.QUOTES_NAME, "reload the page to see the quotes")
        qt.save_quotes(folder, entries)
    return quotes_data(ws, slug)
