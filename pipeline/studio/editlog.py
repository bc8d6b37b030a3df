"""Who changed what from the studio: ``.learncast/state/studio-edits.log``.

One JSON object a line, appended for every change the studio makes (a transcript save,
consent, a redaction added or removed, details, chapters, a review mark)::

    {"time": "2026-03-01T10:00:00+00:00", "user": "Sam", "slug": "jane-doe", "action": "PUT transcript"}

``user`` is the signed-in name on a team server, the login name (or "local") on the
loopback. The file is only ever appended to (O_APPEND, one ``write`` a line, fsynced), so
a crash leaves every earlier line whole (a torn last line is ended before the next); it sits in ``.learncast/state/`` with the other
things a build cannot make again, owner-readable only (0600). Its one writer is
:func:`record`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

EDITS_NAME = "studio-edits.log"
_lock = threading.Lock()


def edits_path(state_dir: Path) -> Path:
    return Path(state_dir) / EDITS_NAME


def record(state_dir: Path, user: str, slug: str | None, action: str, *, now: dt.datetime | None = None) -> None:
    """Append one line: ``user`` did ``action`` to recording ``slug`` (None: no one recording)."""
    when = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    line = json.dumps({"time": when.isoformat(timespec="seconds"), "user": user, "slug": slug, "action": action},
                      ensure_ascii=False) + "\n"
    path = edits_path(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"  # a crash mid-line: start a new one
            os.write(fd, (("\n" if torn else "") + line).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


def read(state_dir: Path) -> list[dict[str, Any]]:
    """Every line of the log (a torn last line, from a crash mid-write, left out)."""
    path = edits_path(state_dir)
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def action_of(method: str, path: str, slug: str | None) -> str:
    """``PUT transcript``, ``DELETE redactions/2``: the method and what the path names
    after the recording."""
    prefix = f"/api/recordings/{slug}/" if slug else "/api/"
    rest = path[len(prefix):] if path.startswith(prefix) else path.lstrip("/")
    return f"{method} {rest or path}"
