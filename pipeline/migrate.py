"""Moves a workspace made by Learncast 0.1.0 to the files each stage now owns.

Format-1 ``transcript.json`` files also held what other stages and people decided: the
chapters and their keys, the review mark, the guid, the first publication date and a
provenance block. Each now has a file of its own (see ``transcripts/README.md``):

=====================================  ==============================================
format-1 key(s) in transcript.json     now in
=====================================  ==============================================
chapters, chapters_key,                ``.learncast/chapters/<slug>.json`` (the chapter
chapters_auto, chapters_auto_key       stage); chapters a person corrected by hand stay
                                       in transcript.json, where they still win
reviewed, reviewed_at                  ``transcripts/<slug>/review.toml``
guid, first_published                  ``.learncast/state/published.json``
provenance, chapters_checksum          nothing: made again from the files above
=====================================  ==============================================

Each recording is moved once, on the first build (or ``learncast status``) after the
upgrade: the new files first, then transcript.json rewritten as format 2 with those keys
taken out and everything else, a person's edits included, as it was. That last write
happens only if nobody changed the file meanwhile, so an interrupted or refused move is
simply done again later.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from .errors import LearncastError, UsageError
from .fsutil import file_stamp, write_json
from .workspace import Workspace, file_lock, workspace_lock

log = logging.getLogger(__name__)

CHAPTER_KEYS = ("chapters", "chapters_key", "chapters_auto", "chapters_auto_key")
MOVED_KEYS = ("chapters_key", "chapters_auto", "chapters_auto_key", "chapters_checksum", "reviewed",
              "reviewed_at", "guid", "first_published", "provenance")
_CURRENT = re.compile(r'^\s*\{\s*"format"\s*:\s*([2-9]|\d\d+)\s*,')


def migrate_workspace(ws: Workspace) -> list[str]:
    """Move every format-1 transcript in the workspace; returns the slugs moved."""
    from .publish.history import History

    root = ws.transcripts_dir
    if not root.is_dir():
        return []
    history: History | None = None
    moved = []
    for folder in sorted(root.iterdir()):
        path = folder / "transcript.json"
        if folder.is_symlink() or not path.is_file() or _is_current(path):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a broken file fails its recording's build with the usual message
        if not isinstance(data, dict) or int(data.get("format") or 1) >= 2:
            continue
        history = history or History.load(ws.state_dir)
        if migrate_recording(ws, folder, data, file_stamp(path), history):
            moved.append(folder.name)
    if history is not None:
        history.save()
    if moved:
        log.info("moved %d transcript(s) to the current workspace layout", len(moved))
    return moved


def try_migrate(ws: Workspace) -> None:
    """Migrate unless a build is running (it migrates first itself)."""
    try:
        with workspace_lock(ws):
            migrate_workspace(ws)
    except UsageError:
        pass


def _is_current(path: Path) -> bool:
    """Whether transcript.json already says format 2 or later in its first line or two
    (transcription writes "format" first), without parsing the whole file."""
    with open(path, "rb") as fh:
        head = fh.read(256).decode("utf-8", errors="replace")
    return bool(_CURRENT.match(head))


def migrate_recording(ws: Workspace, folder: Path, data: dict[str, Any], stamp, history) -> bool:
    """Move one format-1 transcript's keys to their owners' files; True when it was rewritten."""
    from .chapters.stage import chapters_path
    from .review import REVIEW_NAME, Review, write_review
    from .transcribe import FORMAT_VERSION, chapters_edited, content_checksum

    slug = folder.name
    hand_chapters = chapters_edited(data)
    state = chapters_path(ws.cache_dir, slug)
    if not hand_chapters and data.get("chapters") and not state.is_file():
        write_json(state, {"format": 1, "asr_key": data.get("asr_key"),
                           **{k: data[k] for k in CHAPTER_KEYS if k in data}})
    if data.get("reviewed") is True and not (folder / REVIEW_NAME).exists():
        write_review(folder, Review(reviewed=True, reviewed_at=data.get("reviewed_at"),
                                    checksum=content_checksum(data)))
    if isinstance(data.get("guid"), str) and slug not in history.entries:
        entry = {"guid": data["guid"], "audio_sha256": data.get("audio_sha256")}
        if data.get("first_published"):
            entry["first_published"] = data["first_published"]
        history.entries[slug] = entry
    out = {"format": FORMAT_VERSION, **{k: v for k, v in data.items() if k not in MOVED_KEYS and k != "format"}}
    if not hand_chapters:
        out.pop("chapters", None)
    try:
        from .transcribe import replace_transcript_file

        with file_lock(ws, slug):
            history.save()  # the guid is safe on disk before transcript.json forgets it
            return replace_transcript_file(folder / "transcript.json", out, expected=stamp, machine=False)
    except (LearncastError, OSError) as exc:
        log.warning("%s: not moved to the current layout yet (%s); the next build tries again", slug, exc)
        return False
