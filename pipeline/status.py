"""What state each recording is in, and the person's review decision.

The last build's outcome per recording is kept in ``.learncast/status.json``; the rest is
read from the files themselves, so the answer stays true after hand edits.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .fsutil import write_json
from .workspace import Workspace

if TYPE_CHECKING:  # pragma: no cover
    from .build import BuildReport

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"


@dataclass(frozen=True)
class RecordingState:
    slug: str
    state: str  # new, transcribed, chaptered, reviewed, published, failed
    detail: str = ""


def record_build(ws: Workspace, report: BuildReport) -> None:
    """Remember each recording's last outcome for `learncast status`."""
    path = ws.cache_dir / STATUS_FILE
    previous = _read(path)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for r in report.results:
        previous[r.slug] = {
            "ok": r.ok,
            "error": r.message,
            "notes": r.notes,
            "published": r.slug in report.published,
            "source": r.path.name,
            "at": now,
        }
    write_json(path, previous)


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def recording_states(ws: Workspace) -> list[RecordingState]:
    from .transcribe import TRANSCRIPT_NAME, is_hand_edited

    last = _read(ws.cache_dir / STATUS_FILE)
    recordings, errors = ws.recordings()
    rows = [RecordingState(slug=(e.path.stem if e.path else "?"), state="failed", detail=e.one_line())
            for e in errors]
    for rec in recordings:
        outcome = last.get(rec.slug, {})
        if outcome and not outcome.get("ok", True) and outcome.get("source") == rec.path.name:
            rows.append(RecordingState(rec.slug, "failed", outcome.get("error", "")))
            continue
        path = ws.transcript_dir(rec.slug) / TRANSCRIPT_NAME
        details = []
        if rec.meta.consent == "withheld":
            details.append("withheld")
        if rec.meta.publish_after:
            details.append(f"embargoed until {rec.meta.publish_after.isoformat()}")
        details += [n for n in outcome.get("notes", []) if n not in details]
        if not path.is_file():
            rows.append(RecordingState(rec.slug, "new", "; ".join(details)))
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            rows.append(RecordingState(rec.slug, "failed", f"{path}: {exc}"))
            continue
        if is_hand_edited(data):
            details.insert(0, "edited by hand")
        if outcome.get("published") and (ws.episode_dir(rec.slug) / "index.html").is_file():
            state = "published"
        elif data.get("reviewed"):
            state = "reviewed"
        elif data.get("chapters"):
            state = "chaptered"
        else:
            state = "transcribed"
        if data.get("reviewed") and state == "published":
            details.insert(0, "reviewed")
        rows.append(RecordingState(rec.slug, state, "; ".join(details)))
    return sorted(rows, key=lambda r: r.slug)


def mark_reviewed(ws: Workspace, slug: str, *, reviewed: bool = True) -> Path:
    """Record a person's review of a transcript in its transcript.json."""
    from .transcribe import TRANSCRIPT_NAME, is_hand_edited, read_transcript_file, write_transcript_file

    path = ws.transcript_dir(slug) / TRANSCRIPT_NAME
    if not path.is_file():
        raise UsageError(f'no transcript for "{slug}"', path=path,
                         fix="check the slug with `learncast status`, or build it first")
    data = read_transcript_file(path)
    edited = is_hand_edited(data)
    data["reviewed"] = reviewed
    if reviewed:
        data["reviewed_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    else:
        data.pop("reviewed_at", None)
    write_transcript_file(path, data, machine=not edited)
    log.info("%s marked %s", slug, "reviewed" if reviewed else "not reviewed")
    return path
