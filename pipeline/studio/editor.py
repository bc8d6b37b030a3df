"""The transcript editor's own API: what the page needs beyond saving the transcript.

``GET /api/recordings/{slug}/redactions/spans`` answers the time spans that the cuts in
``redactions.toml`` take out of the current transcript, worked out by
:func:`pipeline.redact.apply` exactly as the build does (phrases matched on whole words,
time ranges on word times, an edited segment whose words no longer spell its text cut
whole). The page strikes through the words inside them and keeps its player silent there,
so what the team hears in the studio is what will be published. (The route itself is in
:mod:`pipeline.studio.app`, behind the same guards as every other.)
"""

from __future__ import annotations

from pathlib import Path

from .. import redact
from ..transcribe import load_transcript_file
from ..workspace import Workspace


def redaction_spans(ws: Workspace, slug: str, transcript_file: Path) -> dict[str, list]:
    """``spans``: the merged spans, in seconds, that redactions.toml silences in this transcript;
    ``unmatched``: cut phrases that match nothing as it now reads (the build withholds the episode)."""
    entries = redact.load(ws.transcript_dir(slug))
    if not entries:
        return {"spans": [], "unmatched": []}
    _, transcript = load_transcript_file(transcript_file)
    applied = redact.apply(transcript, entries)
    return {"spans": [[round(a, 3), round(b, 3)] for a, b in applied.spans], "unmatched": list(applied.unmatched)}
