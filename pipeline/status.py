"""What state each recording is in, and pruning.

The last build's outcome per recording is kept in ``.learncast/status.json`` (written by
the orchestrator at the end of each build); the rest is read from the stages' own files,
so the answer stays true after hand edits. ``prune`` removes what a deleted recording
left behind (a build never deletes a transcript).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .consent import decision
from .errors import LearncastError, UsageError
from .fsutil import write_json
from .workspace import Workspace, check_slug, slugify, workspace_lock

if TYPE_CHECKING:  # pragma: no cover
    from .stages import BuildReport

log = logging.getLogger(__name__)

STATUS_FILE = "status.json"


@dataclass(frozen=True)
class RecordingState:
    slug: str
    state: str  # new, transcribed, chaptered, reviewed, published, failed
    detail: str = ""


def record_build(ws: Workspace, report: BuildReport) -> None:
    """Remember each recording's last outcome for `learncast status`.

    A build without the publish stage leaves what the site holds as it was, and the
    source file's size and mtime tell a failure that is fixed since from one that isn't.
    """
    path = ws.cache_dir / STATUS_FILE
    previous = _read(path)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    published_now = "publish" in report.stages
    for r in report.results:
        before = previous.get(r.slug, {})
        previous[r.slug] = {
            "ok": r.ok,
            "error": r.message,
            "notes": r.notes,
            "published": (r.slug in report.published) if published_now else bool(before.get("published")),
            "source": r.path.name,
            "stamp": _stamp(ws, r.slug, r.path),
            "at": now,
        }
    live = ws.media_slugs()
    previous = {slug: v for slug, v in previous.items() if slug in live}
    write_json(path, previous)


def _stamp(ws: Workspace, slug: str, source: Path) -> list[int | None]:
    """Size and mtime of a source file and its transcript.json's mtime, to notice an edit
    since the last build (a fixed file is then no longer shown as failed)."""
    from .transcribe import TRANSCRIPT_NAME

    def stat(path: Path) -> os.stat_result | None:
        try:
            return path.stat()
        except (OSError, ValueError):
            return None

    src = stat(source)
    transcript = stat(ws.transcripts_dir / slug / TRANSCRIPT_NAME) if _is_slug(slug) else None
    return [src.st_size if src else None, src.st_mtime_ns if src else None,
            transcript.st_mtime_ns if transcript else None]


def _is_slug(slug: str) -> bool:
    try:
        check_slug(slug)
        return True
    except UsageError:
        return False


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def recording_states(ws: Workspace) -> list[RecordingState]:
    last = _read(ws.cache_dir / STATUS_FILE)
    recordings, errors = ws.recordings()
    rows = [RecordingState(slug=(slugify(e.path.stem) or e.path.name) if e.path else "?", state="failed",
                           detail=e.one_line()) for e in errors]
    rows += [_state(ws, rec, last.get(rec.slug, {})) for rec in recordings]
    return sorted(rows, key=lambda r: r.slug)


def _state(ws: Workspace, rec, outcome: dict[str, Any]) -> RecordingState:
    """One recording's row: the last build's outcome, then what its files say now."""
    from .chapters.stage import chapters_path, stored_chapters
    from .review import holds, read_review
    from .transcribe import TRANSCRIPT_NAME, chapters_edited, is_hand_edited

    changed = bool(outcome) and (outcome.get("source") != rec.path.name
                                 or outcome.get("stamp") != _stamp(ws, rec.slug, rec.path))
    if outcome and not outcome.get("ok", True) and not changed:
        return RecordingState(rec.slug, "failed", outcome.get("error", ""))
    folder = ws.transcript_dir(rec.slug)
    path = folder / TRANSCRIPT_NAME
    details = ["changed since the last build"] if changed else []
    try:
        said = decision(folder, rec)  # the CLI's decision wins over the sidecar
        review = read_review(folder)
    except LearncastError as exc:
        return RecordingState(rec.slug, "failed", exc.one_line())
    if said.consent == "withheld":
        details.append("withheld")
    if said.publish_after:
        details.append(f"embargoed until {said.publish_after.isoformat()}")
    details += [n for n in outcome.get("notes", []) if n not in details]
    if not path.is_file():
        return RecordingState(rec.slug, "new", "; ".join(details))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return RecordingState(rec.slug, "failed", f"{path}: {exc}")
    if is_hand_edited(data):
        details.insert(0, "edited by hand")
    reviewed = holds(review, data)
    if review.reviewed and not reviewed:
        details.append("changed since it was reviewed: needs review")
    chaptered = chapters_edited(data) or bool(stored_chapters(chapters_path(ws.cache_dir, rec.slug)))
    if outcome.get("published") and ws.episode_page(rec.slug).is_file():
        state = "published"
    elif reviewed:
        state = "reviewed"
    elif chaptered:
        state = "chaptered"
    else:
        state = "transcribed"
    if reviewed and state == "published":
        details.insert(0, "reviewed")
    return RecordingState(rec.slug, state, "; ".join(details))


# ---------------------------------------------------------------- prune


def prune(ws: Workspace, yes: bool) -> list[Path]:
    """What a removed recording left behind; deleted only when ``yes``.

    Returns the paths that are (or, without ``yes``, would be) removed:

    * ``transcripts/<slug>/`` folders whose slug has no file in ``media/`` any more
      (a person's edits, consent and redactions are in there: hence the --yes);
    * decoded audio and memos in ``.learncast/`` that no file in ``media/`` uses.

    A folder whose recording is still in media/ but fails (a bad sidecar) is kept.
    The published pages of a removed recording go at the next build, not here.
    """
    if not ws.media_dir.is_dir():
        raise UsageError("no media/ folder in the workspace", path=ws.media_dir,
                         fix="create it (an empty media/ would prune every transcript)")
    with workspace_lock(ws):
        paths = _orphans(ws)
        if yes:
            for path in paths:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
                log.info("removed %s", path)
    return paths


def _orphans(ws: Workspace) -> list[Path]:
    live = ws.media_slugs()
    found: list[Path] = []
    if ws.transcripts_dir.is_dir():
        found += [p for p in sorted(ws.transcripts_dir.iterdir())
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and p.name not in live]
    found += _cache_orphans(ws)
    return found


def _cache_orphans(ws: Workspace) -> list[Path]:
    """Cached audio and memos of files no longer in media/ (decoded WAVs are large).
    ``.learncast/state/`` (guids, first publication dates) is never pruned."""
    from .chapters.stage import CACHE_FOLDER as CHAPTERS_FOLDER
    from .ingest import memo_path
    from .stages import DERIVED_DIR

    cache = ws.cache_dir
    live_memos = {memo_path(cache, p) for p in ws.media_dir.iterdir() if p.is_file()}
    keep: set[str] = set()
    stale: list[Path] = []
    for memo in sorted((cache / "sources").glob("*.json")):
        sha = _read(memo).get("source_sha256")
        if memo in live_memos and isinstance(sha, str):
            keep.add(sha)
        else:
            stale.append(memo)
    for path in sorted((cache / "audio").glob("*")):
        if path.name.split(".")[0] not in keep:
            stale.append(path)
    for path in sorted((cache / "redacted").glob("*")):  # named by a source hash prefix
        if not any(sha.startswith(path.name.split("-")[0]) for sha in keep):
            stale.append(path)
    live = ws.media_slugs()
    stale += [p for p in sorted((cache / DERIVED_DIR).glob("*.key")) if p.stem not in live]
    stale += [p for p in sorted((cache / CHAPTERS_FOLDER).glob("*.json")) if p.stem not in live]
    return stale
