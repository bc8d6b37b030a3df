"""Learning from a team's chapter corrections: new phrasings for the workspace's question set.

When a person relabels, moves or splits a chapter (``learncast chapters SLUG --set ...`` or
the studio), the interviewer's words where that chapter starts are how this team asks that
question. :func:`candidates` offers them; :func:`accept` writes the ones a person accepts
into the ``phrasings`` of the workspace's own question set, keeping the file's comments.
A workspace on the built-in set gets a copy of it first (``questions.toml`` beside
``learncast.toml``, and ``questions = "questions.toml"`` written there), so the shipped
file is never changed and every other show keeps the built-in set.

The next build re-chapters every recording, since the set's fingerprint is part of each
chapter record's key.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .. import tomledit
from ..errors import ConfigError, LearncastError, UsageError
from ..models import Chapter, Transcript, is_interviewer
from ..workspace import Workspace
from . import CLOSING, INTRO
from .questions import QuestionSet, default_questions_path, load_questions

log = logging.getLogger(__name__)

#: The most words offered as one phrasing: a question, not the answer after it.
MAX_WORDS = 40
#: How far past a chapter's start the interviewer's words may begin (a moved start may sit
#: on the last words of the answer before).
LEAD_IN = 8.0
WORKSPACE_QUESTIONS = "questions.toml"


@dataclass(frozen=True)
class Candidate:
    """One phrasing offered for a question: where it was said and what was said."""

    slug: str
    start: float  # the corrected chapter's start, seconds
    question: str  # the question id the person gave that chapter
    text: str

    @property
    def key(self) -> str:
        """A stable name for it, for the CLI's --accept and the studio's ticks."""
        return f"{self.slug}@{self.start:.2f}"


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.casefold()).split())


def asked_at(transcript: Transcript, start: float) -> str:
    """The interviewer's words from ``start``: their turn that begins there (or within
    LEAD_IN seconds of it), up to the interviewee's reply, ended at its last question mark
    when it has one, and at most MAX_WORDS words. "" when no interviewer speaks there."""
    words: list[str] = []
    begun = False
    for seg in transcript.segments:
        if seg.end <= start:
            continue
        if not is_interviewer(seg.speaker):
            if begun or seg.start > start + LEAD_IN:
                break
            continue
        if not begun and seg.start > start + LEAD_IN:
            break
        begun = True
        items = [w.word for w in seg.words if w.end > start] if seg.words else seg.text.split()
        words += [w.strip() for w in items if w.strip()]
        if len(words) >= MAX_WORDS:
            break
    text = " ".join(words[:MAX_WORDS])
    mark = text.rfind("?")
    return text[:mark + 1] if mark > 0 else text


def recording_candidates(slug: str, transcript: Transcript, questions: QuestionSet) -> list[Candidate]:
    """The phrasings one recording's corrected chapters offer, none already in the bank."""
    known = {_norm(p) for q in questions for p in q.bank}
    found: list[Candidate] = []
    for chapter in transcript.chapters:
        if not chapter.corrected or chapter.question in (INTRO, CLOSING) \
                or chapter.question not in questions.by_id:
            continue
        text = asked_at(transcript, chapter.start)
        if not text or _norm(text) in known:
            continue
        known.add(_norm(text))
        found.append(Candidate(slug, chapter.start, chapter.question, text))
    return found


def candidates(ws: Workspace, slugs: Sequence[str] | None = None) -> list[Candidate]:
    """Every phrasing the corrected chapters of ``slugs`` (default: every transcribed
    recording) offer for the workspace's question set, in recording and time order."""
    from .correct import Changes, correct, current

    ws = Workspace.open(ws.root)  # learncast.toml as it is now: accept() may have pointed it at a new set
    questions = load_questions(ws.config.questions)
    names = slugs if slugs is not None else [p.parent.name for p in sorted(ws.transcripts_dir.glob("*/transcript.json"))]
    found: list[Candidate] = []
    for slug in names:
        try:
            out = correct(ws, slug, Changes())  # the corrections applied, as the next build makes them
        except LearncastError as exc:
            if slugs is not None:
                raise
            log.info("%s: nothing to learn from (%s)", slug, exc)  # not chaptered yet, or its file is broken
            continue
        _, transcript, _ = current(ws, slug)
        found += recording_candidates(slug, transcript.with_chapters(out.applied.chapters), questions)
    return found


def pick(found: Sequence[Candidate], keys: Sequence[str]) -> list[Candidate]:
    """The candidates named by ``keys`` ("all", a key, or a 1-based number in ``found``)."""
    if any(k.strip().casefold() == "all" for k in keys):
        return list(found)
    chosen: list[Candidate] = []
    for key in keys:
        key = key.strip()
        match = [c for c in found if c.key == key]
        if not match and key.isdigit() and 1 <= int(key) <= len(found):
            match = [found[int(key) - 1]]
        if not match:
            raise UsageError(f'no phrasing "{key}" to accept',
                             fix="run `learncast chapters --learn` to see the numbers, then --accept N or all")
        chosen += [c for c in match if c not in chosen]
    return chosen


def _workspace_set(ws: Workspace) -> Path:
    """The question-set file this workspace may change: its own, or a new copy of the
    built-in set that learncast.toml is pointed at."""
    if ws.config.questions is not None:
        return Path(ws.config.questions)
    target = ws.root / WORKSPACE_QUESTIONS
    if target.exists():
        raise UsageError("exists but learncast.toml does not use it, so learning will not write into it",
                         path=target, fix=f'set questions = "{WORKSPACE_QUESTIONS}" in learncast.toml, '
                                          "or move the file away")
    shutil.copyfile(default_questions_path(), target)
    tomledit.edit(ws.config.path, lambda doc: tomledit.set_values(doc, {"questions": WORKSPACE_QUESTIONS}))
    log.info("copied the built-in question set to %s for this workspace's own phrasings", target)
    return target


def accept(ws: Workspace, chosen: Sequence[Candidate]) -> Path | None:
    """Add each chosen phrasing to its question in the workspace's set (comments kept);
    returns the file written, or None when there was nothing to add."""
    if not chosen:
        return None
    path = _workspace_set(Workspace.open(ws.root))
    doc = tomledit.load(path)
    tables = tomledit.entries(doc, "question")
    by_id = {str(t.get("id")): t for t in tables or ()}
    for c in chosen:
        table = by_id.get(c.question)
        if table is None:
            raise ConfigError([f'no [[question]] with id "{c.question}", so "{c.text}" has nowhere to go'], path=path)
        phrasings = table.get("phrasings")
        if phrasings is None:
            tomledit.set_values(table, {"phrasings": [c.text]})
        elif _norm(c.text) not in {_norm(str(p)) for p in phrasings}:
            phrasings.append(tomledit.toml_item(c.text))
    tomledit.save(path, doc)
    load_questions(path)  # still a valid set: any problem names the file now, not at the next build
    log.info("added %d phrasing(s) to %s", len(chosen), path)
    return path


__all__ = ["Candidate", "accept", "asked_at", "candidates", "pick", "recording_candidates"]
