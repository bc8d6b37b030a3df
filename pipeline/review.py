"""A person's review of a transcript: ``transcripts/<slug>/review.toml``.

Written when a person marks the transcript as checked (``learncast review SLUG``, later
the studio), never by a build. It says who reviewed it and when, and the checksum of the
text they reviewed, so a later edit can be told from the reviewed version.
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
from dataclasses import dataclass
from pathlib import Path

from .config import Key, check_table, read_toml
from .errors import ConfigError, InputError

log = logging.getLogger(__name__)

REVIEW_NAME = "review.toml"


def _is(kinds: tuple[type, ...], expected: str):
    return lambda value: None if isinstance(value, kinds) else f"expected {expected}"


_KEYS = [
    Key("reviewed", _is((bool,), "true or false"), "whether a person reviewed the transcript"),
    Key("reviewed_at", _is((str, dt.datetime), "a date and time"), "when, e.g. 2026-03-01T10:00:00+00:00"),
    Key("reviewed_by", _is((str,), "a name in quotes"), "who reviewed it"),
    Key("checksum", _is((str,), "text"), "the reviewed text's checksum (written by Learncast)"),
]
_HEADER = ("# A person's review of this transcript, recorded with `learncast review`.\n"
           "# `learncast review SLUG --undo` clears it.\n")


@dataclass(frozen=True)
class Review:
    reviewed: bool = False
    reviewed_at: str | None = None  # ISO 8601, UTC
    reviewed_by: str | None = None
    checksum: str | None = None  # content checksum of the transcript when it was reviewed


def read_review(folder: Path) -> Review:
    """The review recorded for the transcript in ``folder`` (none: not reviewed)."""
    path = folder / REVIEW_NAME
    if not path.is_file():
        return Review()
    data = read_toml(path)
    problems = check_table(data, _KEYS)
    if problems:
        raise ConfigError(problems, path=path)
    at = data.get("reviewed_at")
    if isinstance(at, dt.datetime):
        at = at.isoformat()
    return Review(reviewed=bool(data.get("reviewed", False)), reviewed_at=at,
                  reviewed_by=data.get("reviewed_by"), checksum=data.get("checksum"))


def holds(review: Review, data: dict) -> bool:
    """Whether the review stands for the transcript as it is now: a change to the text or the
    speakers after the review (by anyone) means it needs reviewing again."""
    return review.reviewed and (review.checksum is None or review.checksum == reviewed_checksum(data))


def reviewed_checksum(data: dict) -> str:
    """The checksum of what a review covers: the transcript's content (content_checksum), less
    the "checked" marks on its words, since checking a word is part of reviewing, not a change
    to what was reviewed. For a transcript without marks, content_checksum itself."""
    from .transcribe import content_checksum

    def unmarked(seg):
        if not isinstance(seg, dict) or not isinstance(seg.get("words"), list):
            return seg
        return dict(seg, words=[{k: v for k, v in w.items() if k != "checked"} if isinstance(w, dict) else w
                                for w in seg["words"]])

    segments = data.get("segments", [])
    return content_checksum(dict(data, segments=[unmarked(s) for s in segments] if isinstance(segments, list)
                                 else segments))


def write_review(folder: Path, review: Review) -> Path:
    """Record ``review`` (a person's decision) in ``folder``'s review.toml, keeping any
    comments a person wrote there (an empty field removes its key)."""
    from . import tomledit

    values = {"reviewed": review.reviewed, "reviewed_at": review.reviewed_at or None,
              "reviewed_by": review.reviewed_by or None, "checksum": review.checksum or None}
    return tomledit.edit(folder / REVIEW_NAME, lambda doc: tomledit.set_values(doc, values), header=_HEADER)


def mark_reviewed(folder: Path, *, reviewed: bool = True, by: str | None = None,
                  now: dt.datetime | None = None) -> Path:
    """Record that a person reviewed (or un-reviewed) the transcript in ``folder``."""
    from .transcribe import TRANSCRIPT_NAME, read_transcript_file

    path = folder / TRANSCRIPT_NAME
    if not path.is_file():
        raise InputError("has no transcript to review yet", path=path,
                         fix="check the slug with `learncast status`, or build it first")
    if not reviewed:
        out = write_review(folder, Review())
        log.info("%s marked not reviewed", folder.name)
        return out
    when = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    out = write_review(folder, Review(
        reviewed=True, reviewed_at=when.isoformat(timespec="seconds"),
        reviewed_by=by or _user(), checksum=reviewed_checksum(read_transcript_file(path))))
    log.info("%s marked reviewed", folder.name)
    return out


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return None
