"""What publishing remembers: each episode's guid and when it was first published.

Kept in ``.learncast/state/published.json`` (slug -> guid, first_published,
audio_sha256), written by the publish stage alone. It is the one part of the cache a
build cannot make again: a guid is what listeners' apps know an episode by, and the
first publication date orders the feed. So it survives withdrawal (an episode published
again later comes back as the same episode) and renames (a new slug whose audio matches a
slug no longer in media/ takes over its guid and date).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..fsutil import write_json_if_changed

log = logging.getLogger(__name__)

HISTORY_NAME = "published.json"
GUID_NAMESPACE = uuid.UUID("4f6a1c2e-8f0b-5c1d-9e3a-6b7c8d9e0f1a")


def episode_guid(audio_sha256: str) -> str:
    """A guid from the recording's content, so it never changes between builds."""
    return str(uuid.uuid5(GUID_NAMESPACE, audio_sha256))


@dataclass
class History:
    path: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, state_dir: Path) -> History:
        path = state_dir / HISTORY_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as exc:
            # Never silently start again: guids would change in every listener's app.
            from ..errors import InputError

            raise InputError(f"cannot be read ({exc})", path=path,
                             fix="restore it from your backup; it holds every episode's guid") from None
        return cls(path=path, entries={k: v for k, v in data.items() if isinstance(v, dict)})

    def save(self) -> None:
        write_json_if_changed(self.path, dict(sorted(self.entries.items())))

    def entry(self, slug: str, audio_sha256: str | None, live: Iterable[str]) -> dict[str, Any]:
        """The slug's entry, made on first use: a renamed recording takes over the entry of
        a slug no longer in ``live`` with the same audio, else the guid comes from the audio."""
        found = self.entries.get(slug)
        if found is None:
            live = set(live)
            old = next((k for k, v in sorted(self.entries.items())
                        if k not in live and audio_sha256 and v.get("audio_sha256") == audio_sha256), None)
            found = dict(self.entries[old]) if old else {}
            if old:
                log.info("%s: renamed from %s; keeps its guid", slug, old)
            self.entries[slug] = found
        if not found.get("guid"):
            found["guid"] = episode_guid(audio_sha256 or slug)
        if audio_sha256:
            found["audio_sha256"] = audio_sha256
        return found

    def first_published(self, entry: dict[str, Any], now: dt.datetime) -> dt.datetime:
        """When the episode was first published (now, if this is the first time)."""
        if not entry.get("first_published"):
            entry["first_published"] = now.replace(microsecond=0).isoformat()
        return dt.datetime.fromisoformat(entry["first_published"])
