"""A capture team's corrections to the automatic chapters, kept beside the transcript.

``transcripts/<slug>/chapters.edit.toml`` lists them, written by hand or with
``learncast chapters``. Each ``[[chapter]]`` names a chapter by the time it starts
(``at``: seconds, ``MM:SS`` or ``H:MM:SS``, decimals allowed) and says what to change::

    [[chapter]]
    at = "12:30"
    question = "governance"        # relabel it (a question id, "intro" or "closing");
                                   # with no chapter starting near "at", add one there (a split)
    title = "Working with the council"   # rename it

    [[chapter]]
    at = "25:02"
    move_to = "25:10"              # it really starts here (snapped to the nearest word start)

    [[chapter]]
    at = "31:40"
    merge = true                   # remove this start: the chapter joins the one before

The file is never written by a build. At every build the entries are applied to the
automatic chapters afresh (the chapter stage keeps those in ``chapters_auto`` of
transcript.json, so a change to this file costs no re-scoring), and a chapter a person
corrected gets confidence 1.0 and ``"corrected": true``. An entry finds its chapter
within :data:`TOLERANCE` seconds, so corrections survive a re-chaptering that shifts the
automatic starts a little (a new question set, a new model, a hand-edited transcript).
An entry that no longer fits (a time past the end, a question id the set no longer has,
a chapter that is no longer there) fails that recording with one line naming this file
and the fix; the other recordings still build.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import timecodes, tomledit
from ..config import Key, TomlError, check_table, loads_toml, read_toml
from ..errors import InputError, UsageError
from ..fsutil import write_text
from ..models import Chapter, Transcript
from ..timecodes import parse_time
from .questions import CLOSING, INTRO, QuestionSet
from .segment import CLOSING_TITLE, INTRO_TITLE

log = logging.getLogger(__name__)

EDITS_NAME = "chapters.edit.toml"
#: An entry's ``at`` names the automatic chapter starting within this many seconds of it.
TOLERANCE = 3.0
#: Two chapters may not start closer together than this (seconds).
MIN_GAP = 1.0
KEYS = ("at", "question", "title", "move_to", "merge")
# transcript.json keys the chapter stage keeps while corrections are applied.
AUTO_CHAPTERS = "chapters_auto"
AUTO_KEY = "chapters_auto_key"

HEADER = """\
# Corrections to this recording's automatic chapters, applied at every `learncast build`.
# Each [[chapter]] names a chapter by the time it starts ("at": SS, MM:SS or H:MM:SS) and says
# what to change (see README, "Correcting chapters", or `learncast chapters --help`):
#   question = "governance"   relabel it: a question id, "intro" or "closing"; with no chapter
#                             starting near "at", a new chapter starts there (a split)
#   title = "..."             rename it
#   move_to = "12:41"         it really starts here (snapped to the nearest word start)
#   merge = true              remove this start: the chapter joins the one before
"""


class ChapterEditError(InputError):
    """``chapters.edit.toml`` cannot be read or no longer fits the recording."""


@dataclass(frozen=True)
class ChapterEdit:
    """One ``[[chapter]]`` entry."""

    at: float
    question: str | None = None
    title: str | None = None
    move_to: float | None = None
    merge: bool = False

    @property
    def time(self) -> float:
        """Where the chapter this entry describes starts once it is applied."""
        return self.at if self.move_to is None else self.move_to

    def describe(self) -> str:
        if self.merge:
            return f"{clock(self.at)}: merge into the chapter before"
        parts = []
        if self.move_to is not None:
            parts.append(f"move to {clock(self.move_to)}")
        if self.question:
            parts.append(f"label {self.question}")
        if self.title:
            parts.append(f"title {json.dumps(self.title, ensure_ascii=False)}")
        return f"{clock(self.at)}: {', '.join(parts)}"

    def values(self) -> dict[str, Any]:
        """The keys this entry sets, in file order."""
        out: dict[str, Any] = {"at": self.at}
        for key in ("question", "title", "move_to"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.merge:
            out["merge"] = True
        return out


@dataclass(frozen=True)
class Applied:
    """The corrected chapters, and the entries that changed nothing (their goal already held)."""

    chapters: tuple[Chapter, ...]
    unused: tuple[ChapterEdit, ...] = ()


# ---------------------------------------------------------------- times


def fmt_time(seconds: float) -> str:
    """``M:SS`` or ``H:MM:SS``, with the milliseconds when there are any; parse_time reads it back."""
    return timecodes.clock(seconds, places=3)


def clock(seconds: float) -> str:
    """A time for people: ``fmt_time`` to a tenth of a second."""
    return timecodes.clock(seconds, places=1)


# ---------------------------------------------------------------- the file


#: The keys of a ``[[chapter]]`` entry. Their values are checked together, in _entry.
ENTRY_KEYS = [
    Key("at", lambda _: None, "the time the chapter starts"),
    Key("question", lambda _: None, 'a question id, "intro" or "closing"'),
    Key("title", lambda _: None, "the chapter's title"),
    Key("move_to", lambda _: None, "the time the chapter really starts"),
    Key("merge", lambda _: None, "true: the chapter joins the one before"),
]
_SYNTAX_FIX = ("correct the syntax (each entry is a [[chapter]] table), or move the file aside to use the "
               "automatic chapters")


def _error(problems: list[str], path: Path) -> ChapterEditError:
    return ChapterEditError("; ".join(problems), path=path,
                            fix="correct those entries (see README, 'Correcting chapters'), or move the file "
                                "aside to use the automatic chapters")


def _read_error(path: Path) -> TomlError:
    """A file that cannot be read fails its recording only (a ChapterEditError), naming the fix."""
    return lambda what, fix: ChapterEditError(what, path=path, fix=fix or _SYNTAX_FIX)


def parse(text: str, path: Path) -> list[ChapterEdit]:
    """The entries of a ``chapters.edit.toml`` text; ChapterEditError listing every problem."""
    return _edits(loads_toml(text, path, error=_read_error(path)), path)


def _edits(data: dict[str, Any], path: Path) -> list[ChapterEdit]:
    problems: list[str] = []
    unknown = sorted(set(data) - {"chapter"})
    if unknown:
        problems.append(f'unknown key "{unknown[0]}": entries go in [[chapter]] tables')
    tables = data.get("chapter", [])
    if not isinstance(tables, list):
        raise _error(['"chapter" must be a list of [[chapter]] tables'], path)
    edits: list[ChapterEdit] = []
    for n, table in enumerate(tables, start=1):
        where = f"entry {n}"
        if not isinstance(table, dict):
            problems.append(f"{where}: expected a [[chapter]] table")
            continue
        problems += [f"{where}: {p}" for p in check_table(table, ENTRY_KEYS)]
        found = _entry(table, where, problems)
        if found is not None:
            edits.append(found)
    if problems:
        raise _error(problems, path)
    return edits


def _entry(table: dict[str, Any], where: str, problems: list[str]) -> ChapterEdit | None:
    before = len(problems)
    times: dict[str, float | None] = {"at": None, "move_to": None}
    for key in times:
        if key in table:
            try:
                times[key] = parse_time(table[key])
            except ValueError as exc:
                problems.append(f'{where}: "{key}": {exc}')
    if "at" not in table:
        problems.append(f'{where}: missing "at" (the time the chapter starts, e.g. "12:30")')
    texts: dict[str, str | None] = {"question": None, "title": None}
    for key in texts:
        if key in table:
            value = table[key]
            if not isinstance(value, str) or not value.strip():
                problems.append(f'{where}: "{key}" must be a non-empty string')
            else:
                texts[key] = " ".join(value.split()) if key == "title" else value.strip()
    merge = table.get("merge", False)
    if not isinstance(merge, bool):
        problems.append(f'{where}: "merge" must be true or false')
        merge = False
    if merge and any(k in table for k in ("question", "title", "move_to")):
        problems.append(f'{where}: "merge = true" removes the chapter, so it takes no question, title or move_to')
    if not merge and not any(k in table for k in ("question", "title", "move_to")) and "at" in table:
        problems.append(f'{where}: says nothing to change (give question, title, move_to or merge = true)')
    if len(problems) > before or times["at"] is None:
        return None
    return ChapterEdit(at=times["at"], move_to=times["move_to"], merge=merge, **texts)


def load(folder: Path) -> list[ChapterEdit]:
    """The corrections in ``folder/chapters.edit.toml``; none when there is no file."""
    path = folder / EDITS_NAME
    if not path.is_file():
        return []
    return _edits(read_toml(path, error=_read_error(path)), path)


def fingerprint(edits: Iterable[ChapterEdit]) -> str:
    """Of the entries' content, not the file's bytes: a comment edit re-chapters nothing."""
    body = json.dumps([dataclasses.astuple(e) for e in edits], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def edits_key(auto_key: str, edits: Sequence[ChapterEdit]) -> str:
    """``chapters_key``: what the automatic chapters are made from, plus the corrections."""
    if not edits:
        return auto_key  # the key of a recording with no corrections is what it always was
    return hashlib.sha256(f"{auto_key}|{fingerprint(edits)}".encode()).hexdigest()


# ---------------------------------------------------------------- applying


@dataclass
class _Item:
    start: float
    question: str
    title: str
    confidence: float
    corrected: bool = False


def word_starts(transcript: Transcript) -> list[float]:
    """Where each word starts (segment starts when the words are not timed), in order."""
    starts = sorted(w.start for s in transcript.segments for w in s.words if w.word.strip())
    return starts or sorted(s.start for s in transcript.segments)


def snap(t: float, starts: Sequence[float]) -> float:
    """The word start nearest ``t`` (the earlier one on a tie), so no chapter cuts a word."""
    if not starts:
        return t
    i = bisect.bisect_left(starts, t)
    around = [starts[j] for j in (i - 1, i) if 0 <= j < len(starts)]
    return min(around, key=lambda s: (abs(s - t), s))


def nearest(chapters: Sequence[Chapter], t: float) -> int | None:
    """The chapter starting within TOLERANCE of ``t`` (the nearest one), or None."""
    best = min(range(len(chapters)), key=lambda i: abs(chapters[i].start - t), default=None)
    if best is None or abs(chapters[best].start - t) > TOLERANCE:
        return None
    return best


def default_title(question: str, questions: QuestionSet) -> str:
    if question == INTRO:
        return INTRO_TITLE
    if question == CLOSING:
        return CLOSING_TITLE
    return questions.by_id[question].title


def apply(chapters: Sequence[Chapter], edits: Sequence[ChapterEdit], transcript: Transcript,
          questions: QuestionSet, *, path: Path) -> Applied:
    """The automatic ``chapters`` with ``edits`` applied; ChapterEditError when one no longer fits.

    Every entry is matched against the automatic chapters (not against each other's
    results), so the order of the entries does not matter.
    """
    chapters = sorted(chapters, key=lambda c: c.start)
    if not edits:
        return Applied(tuple(chapters))
    end = max([transcript.duration, *(c.end for c in chapters)])
    _check_entries(edits, end, (INTRO, CLOSING, *questions.ids), path)
    resolved = _resolve(chapters, edits, path)
    final, unused = _apply_entries(chapters, resolved, word_starts(transcript), questions, path)
    _check_starts(final, path)
    out = tuple(
        Chapter(start=round(it.start, 3), end=round(final[k + 1].start if k + 1 < len(final) else end, 3),
                question=it.question, title=it.title,
                confidence=1.0 if it.corrected else it.confidence, corrected=it.corrected)
        for k, it in enumerate(final))
    for e in unused:
        log.info("%s: the correction %s changes nothing now", path, e.describe())
    return Applied(out, tuple(unused))


def _fail(e: ChapterEdit, message: str, fix: str, path: Path) -> ChapterEditError:
    return ChapterEditError(f"the correction at {clock(e.at)}: {message}", path=path, fix=fix)


def _check_entries(edits: Sequence[ChapterEdit], end: float, known: tuple[str, ...], path: Path) -> None:
    """Every time inside the recording, every question id in the set."""
    slug = path.parent.name
    for e in edits:
        for t in (e.at, e.move_to):
            if t is not None and t >= end:
                raise _fail(e, f"{clock(t)} is past the end of the recording ({clock(end)})",
                            f"correct the time, or remove the entry (`learncast chapters {slug} --remove-edit "
                            f"{fmt_time(e.time)}`)", path)
        if e.question is not None and e.question not in known:
            raise _fail(e, f'unknown question id "{e.question}"',
                        f"use one of {', '.join(known)} (the ids in the question set), or remove the entry", path)


def _resolve(chapters: Sequence[Chapter], edits: Sequence[ChapterEdit],
             path: Path) -> list[tuple[ChapterEdit, int | None]]:
    """Each entry with the automatic chapter it corrects (None: no chapter starts there)."""
    claims: dict[int, ChapterEdit] = {}
    resolved: list[tuple[ChapterEdit, int | None]] = []
    for e in edits:
        i = nearest(chapters, e.at)
        if i is None and e.move_to is not None:
            i = nearest(chapters, e.move_to)  # already where it was moved to (a re-chaptering found it)
        if i is not None:
            if i in claims:
                raise _fail(e, f"the entry at {clock(claims[i].at)} also corrects the chapter starting at "
                               f"{clock(chapters[i].start)}", "put both changes in one [[chapter]] entry", path)
            claims[i] = e
        resolved.append((e, i))
    return resolved


def _apply_entries(chapters: Sequence[Chapter], resolved: list[tuple[ChapterEdit, int | None]],
                   starts: Sequence[float], questions: QuestionSet,
                   path: Path) -> tuple[list[_Item], list[ChapterEdit]]:
    """The chapters after every entry (in time order), and the entries that changed nothing."""
    listing = f"`learncast chapters {path.parent.name} --list`"
    items = [_Item(c.start, c.question, c.title, c.confidence, c.corrected) for c in chapters]
    removed: list[int] = []
    added: list[_Item] = []
    unused: list[ChapterEdit] = []
    for e, i in resolved:
        if e.merge:
            if i is None:
                unused.append(e)  # no chapter starts there: what the merge asks for already holds
            elif i == 0:
                raise _fail(e, "the first chapter has no chapter before it to join",
                            "relabel it instead (question = ...), or remove the entry", path)
            else:
                removed.append(i)
            continue
        if i is None:
            if e.question is None:
                raise _fail(e, f"no chapter starts within {TOLERANCE:g} s of {clock(e.at)}",
                            f"check the times with {listing}; to add a chapter there, give it a question", path)
            item = _Item(snap(e.time, starts), e.question, default_title(e.question, questions), 1.0)
            added.append(item)
        else:
            item = items[i]
            if e.move_to is not None:
                item.start = snap(e.move_to, starts)
            if e.question is not None:
                item.question, item.title = e.question, default_title(e.question, questions)
        if e.title is not None:
            item.title = e.title
        item.corrected = True
    kept = [it for i, it in enumerate(items) if i not in removed]
    final = sorted(kept + added, key=lambda it: it.start)
    for i in removed:  # the chapter that now runs over a merged start was reviewed too
        covering = [it for it in final if it.start <= chapters[i].start]
        if covering:
            covering[-1].corrected = True
    return final, unused


def _check_starts(final: Sequence[_Item], path: Path) -> None:
    """The first chapter starts at 0:00, and no two start within MIN_GAP of each other."""
    if not final or final[0].start > 1e-3:
        raise ChapterEditError(
            f"no chapter would start at 0:00 (the first starts at {clock(final[0].start) if final else '?'})",
            path=path, fix="the first chapter always starts at 0:00: move the next chapter's start instead, "
                           "or relabel the first chapter")
    for a, b in zip(final, final[1:]):
        if b.start - a.start < MIN_GAP:
            raise ChapterEditError(
                f"two chapters would start at {clock(a.start)} ({a.question} and {b.question})", path=path,
                fix=f"move or remove one of the corrections there (see `learncast chapters {path.parent.name} "
                    "--list`)")


# ---------------------------------------------------------------- transcript.json


def stored_auto(data: dict[str, Any], auto_key: str) -> tuple[Chapter, ...] | None:
    """The automatic chapters transcript.json holds for ``auto_key``, if it holds them.

    With corrections they are kept in ``chapters_auto``; without, ``chapters`` are they.
    """
    try:
        if AUTO_CHAPTERS in data:
            if data.get(AUTO_KEY) == auto_key and data[AUTO_CHAPTERS]:
                return tuple(Chapter.from_dict(c) for c in data[AUTO_CHAPTERS])
        elif data.get("chapters_key") == auto_key and data.get("chapters"):
            return tuple(Chapter.from_dict(c) for c in data["chapters"])
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    return None


def auto_chapters(data: dict[str, Any]) -> tuple[Chapter, ...]:
    """The automatic chapters last made for this transcript, whatever they were made from."""
    found = data.get(AUTO_CHAPTERS) if AUTO_CHAPTERS in data else data.get("chapters")
    return tuple(Chapter.from_dict(c) for c in found or ())


def record(data: dict[str, Any], auto: Sequence[Chapter], auto_key: str, chapters: Sequence[Chapter],
           edits: Sequence[ChapterEdit]) -> dict[str, Any]:
    """transcript.json's data with the (corrected) chapters and what they were made from."""
    out = {**data, "chapters": [c.to_dict() for c in chapters], "chapters_key": edits_key(auto_key, edits)}
    out.pop(AUTO_CHAPTERS, None)
    out.pop(AUTO_KEY, None)
    if edits:
        out[AUTO_CHAPTERS] = [c.to_dict() for c in auto]
        out[AUTO_KEY] = auto_key
    return out


# ---------------------------------------------------------------- changing the file (the CLI)


@dataclass
class Slot:
    """An entry being edited: ``orig`` is its position in the file, None for a new one."""

    edit: ChapterEdit
    orig: int | None = None


def find(slots: Sequence[Slot], t: float) -> Slot | None:
    """The entry for the chapter that starts (once corrected) within TOLERANCE of ``t``."""
    near = [s for s in slots if abs(s.edit.time - t) <= TOLERANCE]
    return min(near, key=lambda s: abs(s.edit.time - t), default=None)


def _set(slots: list[Slot], t: float, **fields: str) -> Slot:
    """Give the entry for the chapter at ``t`` these fields (a new entry when there is none)."""
    slot = find(slots, t)
    if slot is None:
        slots.append(slot := Slot(ChapterEdit(at=t, **fields)))
    else:
        slot.edit = dataclasses.replace(slot.edit, merge=False, **fields)
    return slot


def set_label(slots: list[Slot], t: float, question: str) -> Slot:
    return _set(slots, t, question=question)


def set_title(slots: list[Slot], t: float, title: str) -> Slot:
    return _set(slots, t, title=title)


def move(slots: list[Slot], t: float, to: float) -> Slot:
    slot = find(slots, t)
    if slot is None:
        slots.append(slot := Slot(ChapterEdit(at=t, move_to=to)))
    elif slot.edit.merge:
        slot.edit = ChapterEdit(at=slot.edit.at, move_to=to)
    else:
        slot.edit = dataclasses.replace(slot.edit, move_to=None if abs(to - slot.edit.at) < 1e-3 else to)
    return slot


def merge(slots: list[Slot], t: float, auto: Sequence[Chapter]) -> Slot | None:
    """Remove the start at ``t``; a correction that added that chapter is simply dropped."""
    slot = find(slots, t)
    if slot is None:
        slots.append(slot := Slot(ChapterEdit(at=t, merge=True)))
        return slot
    if nearest(auto, slot.edit.at) is None:  # a chapter the corrections added: forget it
        slots.remove(slot)
        return None
    slot.edit = ChapterEdit(at=slot.edit.at, merge=True)
    return slot


def remove(slots: list[Slot], t: float) -> Slot | None:
    """Drop the entry for the chapter at ``t`` (or the entry written at ``t``)."""
    slot = find(slots, t) or min((s for s in slots if abs(s.edit.at - t) <= TOLERANCE),
                                 key=lambda s: abs(s.edit.at - t), default=None)
    if slot is not None:
        slots.remove(slot)
    return slot


def _file_value(value: Any) -> Any:
    """As the file writes it: times as text (``"12:30.5"``), the rest as they are."""
    return fmt_time(value) if isinstance(value, float) else value


def _changes(old: ChapterEdit, new: ChapterEdit) -> dict[str, Any]:
    """The keys to rewrite for ``old`` to become ``new`` (None: remove); the others stay as written."""
    want, had = new.values(), old.values()
    out: dict[str, Any] = {k: None for k in KEYS if k not in want}
    out.update({k: _file_value(v) for k, v in want.items() if k not in had or had[k] != v})
    return out


def render(text: str | None, slots: Sequence[Slot], path: Path) -> str:
    """The file with ``slots`` in it, keeping every comment and untouched entry as written.

    Entries the slots no longer hold go, with the comment lines right above them; changed
    entries have only their changed keys rewritten; new entries go at the end. UsageError
    (nothing is written) when the file is laid out in a way this cannot change without
    losing something a person wrote.
    """
    old = parse(text, path) if text is not None else []
    try:
        doc = tomledit.parse(text, path, header=HEADER, error=_read_error(path))
        tables = tomledit.entries(doc, "chapter")
        by_orig = {s.orig: s for s in slots if s.orig is not None}
        for i, edit in enumerate(old):
            slot = by_orig.get(i)
            if slot is not None and slot.edit != edit:
                tomledit.set_values(tables[i], _changes(edit, slot.edit))
        tomledit.remove_entries(doc, "chapter", set(range(len(old))) - set(by_orig))
        for slot in slots:
            if slot.orig is None:
                tomledit.add_entry(doc, "chapter", {k: _file_value(v) for k, v in slot.edit.values().items()})
        out = tomledit.dumps(doc)
        if parse(out, path) != [s.edit for s in sorted(slots, key=lambda s: (s.orig is None, s.orig or 0))]:
            raise tomledit.CannotEdit("an entry is written in a way this command cannot change safely")
    except (tomledit.CannotEdit, ChapterEditError) as exc:
        raise UsageError(f"cannot change this file without losing what is written in it ({exc})", path=path,
                         fix="make the change by hand in the file (see README, 'Correcting chapters')") from None
    return out


def save(path: Path, text: str) -> None:
    """Write the file atomically: a crash leaves the old file or the new one, never half of one."""
    write_text(path, text)


__all__ = [
    "AUTO_CHAPTERS",
    "AUTO_KEY",
    "EDITS_NAME",
    "MIN_GAP",
    "TOLERANCE",
    "Applied",
    "ChapterEdit",
    "ChapterEditError",
    "Slot",
    "apply",
    "auto_chapters",
    "clock",
    "edits_key",
    "find",
    "fingerprint",
    "fmt_time",
    "load",
    "merge",
    "move",
    "parse",
    "parse_time",
    "record",
    "remove",
    "render",
    "save",
    "set_label",
    "set_title",
    "snap",
    "stored_auto",
    "word_starts",
]
