"""Find and replace a misheard phrase in one transcript or in all of a workspace's.

:func:`preview` finds every match and says how each turn would read after; nothing is
written. :func:`apply` writes the matches a person chose, as a person's edit of
``transcript.json`` (so no build transcribes over it), under the recording's file lock,
and only if the file is still the version the preview was made from: a transcript saved
meanwhile (the studio, a text editor) makes the whole apply refuse with
:class:`StalePreview`, writing nothing, so a concurrent edit is never overwritten.

Matching, on each turn's text (the text is the authority; its word timings only time it):

* whole words only: "Jon" finds "Jon", "jon," and "Jon's", never "Jonathan", "don't" or
  "O'Jon"; a phrase of several words spans the timed words it covers, with the spaces
  between them in any amount;
* any case unless ``match_case``; punctuation inside the phrase must match as written;
* punctuation around the match is kept ("Jon," becomes "John,").

Capitalisation: a replacement with a capital letter in it (a name) is written as typed; an
all-lower-case one takes a capital where the text found started with one (the start of a
sentence), a capital on every word where every word found had one ("World Nurse"), and
capitals throughout where the text found was in capitals. With
``match_case`` the replacement is always written as typed.

Timings (:func:`pipeline.wordedit.retime`): the words of a match get the time span of the
words they replace; every other word keeps its timings exactly.

:func:`add_to_vocabulary` adds the replacement to the show's ``vocabulary`` in
``learncast.toml`` (comments kept, each term once), so the next transcription is
prompted with it and does not mishear it again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import tomledit
from .config import CONFIG_KEYS, check_table, load_config
from .errors import ConfigError, InputError, UsageError
from .fsutil import inside
from .models import Transcript
from .transcribe import TRANSCRIPT_NAME, write_transcript_file
from .wordedit import retime, version_of
from .workspace import Workspace, check_slug, file_lock

log = logging.getLogger(__name__)

MAX_PHRASE = 200  # characters in a phrase to find or its replacement
CONTEXT_WORDS = 6  # words shown either side of a match
LOCK_TIMEOUT = 5.0  # seconds: the build holds a recording's lock only to replace one file


class StalePreview(UsageError):
    """A transcript changed since the preview; ``stale`` names the recordings."""

    exit_code = 1

    def __init__(self, stale: Sequence[str], versions: Mapping[str, str]):
        self.stale, self.versions = list(stale), dict(versions)
        super().__init__(f"{', '.join(self.stale)} changed since the preview; nothing was replaced",
                         fix="preview again, then apply")


class UnknownRecording(UsageError):
    """A slug that is not one of the workspace's transcribed recordings."""


# ---------------------------------------------------------------- what a match is


@dataclass(frozen=True)
class Match:
    """One place the phrase is found: words ``first`` to ``last`` (exclusive) of a turn."""

    id: str  # "TURN:WORD", 0-based; the same for the same version of the file
    turn: int
    first: int
    last: int
    start: float  # seconds
    end: float
    before: str  # the words before it, "…" first when there are more
    found: str  # the words as they read now (with the punctuation around the phrase)
    after: str
    replacement: str  # those words as they would read
    turn_after: str  # the whole turn as it would read with this match replaced

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Found:
    """One recording's matches, found in the version ``version`` of its transcript.json."""

    slug: str
    title: str
    version: str
    matches: tuple[Match, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "version": self.version,
                "matches": [m.to_dict() for m in self.matches]}


@dataclass(frozen=True)
class Preview:
    find: str
    replace: str
    match_case: bool
    recordings: tuple[Found, ...]  # every recording searched, in slug order, matches or not
    unreadable: tuple[str, ...] = ()  # one line per transcript that could not be read

    @property
    def total(self) -> int:
        return sum(len(f.matches) for f in self.recordings)

    def to_dict(self) -> dict[str, Any]:
        return {"find": self.find, "replace": self.replace, "match_case": self.match_case,
                "total": self.total, "searched": len(self.recordings), "unreadable": list(self.unreadable),
                "recordings": [f.to_dict() for f in self.recordings if f.matches]}


@dataclass(frozen=True)
class Choice:
    """What to apply in one recording: the version previewed and the match ids (None: all)."""

    version: str
    ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Applied:
    slug: str
    replaced: int
    version: str  # of the file now written


# ---------------------------------------------------------------- finding, on transcript data


def clean(text: Any, what: str) -> str:
    """The phrase with its spaces collapsed; UsageError when it is empty or too long."""
    if not isinstance(text, str) or not text.strip():
        raise UsageError(f"give the {what}", fix="write a word or a phrase")
    text = " ".join(text.split())
    if len(text) > MAX_PHRASE:
        raise UsageError(f"the {what} is {len(text)} characters long", fix=f"keep it to {MAX_PHRASE}")
    return text


_APOSTROPHE = "['\u2019]"


def pattern(find: str, match_case: bool = False) -> re.Pattern[str]:
    """The regular expression for ``find`` as whole words (see the module docstring)."""
    body = r"\s+".join(re.escape(word) for word in find.split())
    if re.match(r"\w", find):  # not inside a word, nor after "O'"
        body = rf"(?<!\w)(?<!\w{_APOSTROPHE})" + body
    if re.search(r"\w$", find):  # not inside a word, nor before "'t" (a possessive 's is fine)
        body += rf"(?!\w)(?!{_APOSTROPHE}(?![sS]\b)\w)"
    return re.compile(body, 0 if match_case else re.IGNORECASE)


def cased(replacement: str, found: str, match_case: bool) -> str:
    """``replacement`` with the capitals the text it replaces calls for (module docstring)."""
    if match_case or replacement != replacement.lower():
        return replacement
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    words = [w for w in found.split() if any(c.isalpha() for c in w)]
    if len(words) > 1 and all(next(c for c in w if c.isalpha()).isupper() for w in words):
        return " ".join(cased(w, "A", False) for w in replacement.split())
    if letters and letters[0].isupper():
        for i, c in enumerate(replacement):
            if c.isalpha():
                return replacement[:i] + c.upper() + replacement[i + 1:]
    return replacement


def turn_words(seg: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]] | None]:
    """A turn's tokens (its text split at spaces) and its words timed one to one with them
    (re-timed from the words it has where the text was edited by hand); None: no timings."""
    tokens = str(seg.get("text", "")).split()
    words = [dict(w) for w in seg.get("words") or ()]
    if not words:
        return tokens, None
    if [str(w.get("word", "")).strip() for w in words] != tokens:
        words = retime(words, " ".join(tokens))
    return tokens, words


def _context(tokens: list[str], a: int, b: int) -> tuple[str, str]:
    lo, hi = max(0, a - CONTEXT_WORDS), min(len(tokens), b + CONTEXT_WORDS)
    before = ("… " if lo else "") + " ".join(tokens[lo:a])
    after = " ".join(tokens[b:hi]) + (" …" if hi < len(tokens) else "")
    return before.strip(), after.strip()


def _turn_matches(i: int, seg: dict[str, Any], regex: re.Pattern[str], replacement: str,
                  match_case: bool) -> list[Match]:
    tokens, words = turn_words(seg)
    text = " ".join(tokens)
    starts, pos = [], 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok) + 1
    out: list[Match] = []
    for m in regex.finditer(text):
        a, b = m.span()
        first, last = bisect_right(starts, a) - 1, bisect_right(starts, b - 1)
        if out and first < out[-1].last:
            continue  # a second match in a word already matched ("x-x"): one change per word
        prefix = tokens[first][:a - starts[first]]
        suffix = tokens[last - 1][b - starts[last - 1]:]
        new = (prefix + cased(replacement, m.group(0), match_case) + suffix).split()
        if new == tokens[first:last]:
            continue  # it already reads so
        before, after = _context(tokens, first, last)
        out.append(Match(
            id=f"{i}:{first}", turn=i, first=first, last=last,
            start=float(words[first]["start"]) if words else float(seg.get("start", 0.0)),
            end=float(words[last - 1]["end"]) if words else float(seg.get("end", 0.0)),
            before=before, found=" ".join(tokens[first:last]), after=after, replacement=" ".join(new),
            turn_after=" ".join(tokens[:first] + new + tokens[last:])))
    return out


def find_matches(data: dict[str, Any], find: str, replacement: str, *, match_case: bool = False) -> list[Match]:
    """Every match of ``find`` in a transcript's data, in reading order."""
    regex = pattern(find, match_case)
    return [m for i, seg in enumerate(data.get("segments", ())) if isinstance(seg, dict)
            for m in _turn_matches(i, seg, regex, replacement, match_case)]


def replaced(data: dict[str, Any], matches: Sequence[Match]) -> dict[str, Any]:
    """``data`` with these matches replaced (each turn's text and words); everything else kept."""
    segments = [dict(s) for s in data["segments"]]
    by_turn: dict[int, list[Match]] = {}
    for m in matches:
        by_turn.setdefault(m.turn, []).append(m)
    for i, found in by_turn.items():
        seg = segments[i]
        tokens, words = turn_words(seg)
        for m in sorted(found, key=lambda m: m.first, reverse=True):
            new = m.replacement.split()
            if words is not None:
                words[m.first:m.last] = retime(words[m.first:m.last], m.replacement)
            tokens[m.first:m.last] = new
        seg["text"] = " ".join(tokens)
        if words is not None:
            seg["words"] = words
    return dict(data, segments=segments)


# ---------------------------------------------------------------- the workspace's transcripts


def _path(ws: Workspace, slug: str) -> Path | None:
    """transcript.json of one of the workspace's recordings; None when it has none, or
    when it (or its folder) is a symlink or leads outside the workspace."""
    folder = ws.transcript_dir(slug)
    path = folder / TRANSCRIPT_NAME
    if folder.is_symlink() or path.is_symlink() or not path.is_file() or not inside(path, ws.transcripts_dir):
        return None
    return path


def transcribed(ws: Workspace, slug: str | None = None) -> list[tuple[str, str, Path]]:
    """(slug, title, transcript path) of every transcribed recording, or of ``slug`` only
    (UnknownRecording when it is not one)."""
    recordings, _ = ws.recordings()
    if slug is not None:
        try:
            check_slug(slug)
        except UsageError:
            raise UnknownRecording(f'"{slug[:60]}" is not a slug', fix="use the slug `learncast status` shows") from None
        recordings = [r for r in recordings if r.slug == slug]
        path = _path(ws, slug) if recordings else None
        if path is None:
            raise UnknownRecording(f'no transcribed recording "{slug}" in this workspace', path=ws.transcripts_dir,
                                   fix="check the slug with `learncast status`; run `learncast build` first")
    return [(r.slug, r.title, p) for r in recordings if (p := _path(ws, r.slug)) is not None]


def _read(path: Path) -> tuple[bytes, dict[str, Any]]:
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError("is not valid JSON", path=path, fix="correct it, or restore it from your backup") from None
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise InputError('has no "segments" list', path=path, fix="restore the file's structure")
    return raw, data


def preview(ws: Workspace, find: str, replace: str, slug: str | None = None, *,
            match_case: bool = False) -> Preview:
    """The matches in ``slug``'s transcript, or in every transcript when ``slug`` is None."""
    find, replace = clean(find, "phrase to find"), clean(replace, "replacement")
    found, unreadable = [], []
    for s, title, path in transcribed(ws, slug):
        try:
            raw, data = _read(path)
        except InputError as exc:
            if slug is not None:
                raise
            unreadable.append(exc.one_line())
            continue
        matches = tuple(find_matches(data, find, replace, match_case=match_case))
        found.append(Found(slug=s, title=title, version=version_of(raw), matches=matches))
    log.info("replace %r with %r: %d match(es) in %d transcript(s)", find, replace,
             sum(len(f.matches) for f in found), len(found))
    return Preview(find, replace, match_case, tuple(found), tuple(unreadable))


def apply(ws: Workspace, find: str, replace: str, chosen: Mapping[str, Choice], *,
          match_case: bool = False) -> list[Applied]:
    """Write the chosen matches into each recording's transcript.json, as a person's edit.

    Every recording's lock is held (in slug order) while every version is checked and the
    files written: when any of them changed since the preview, StalePreview, and nothing
    is written. A match id not in the file is a UsageError (nothing written either).
    """
    find, replace = clean(find, "phrase to find"), clean(replace, "replacement")
    known = {s: p for s, _, p in transcribed(ws)}
    paths = {s: known[s] if s in known else transcribed(ws, s)[0][2] for s in sorted(chosen)}  # the latter: its error
    with contextlib.ExitStack() as held:
        for s in paths:
            held.enter_context(file_lock(ws, s, timeout=LOCK_TIMEOUT))
        current = {s: _read(p) for s, p in paths.items()}
        versions = {s: version_of(raw) for s, (raw, _) in current.items()}
        stale = [s for s in paths if versions[s] != chosen[s].version]
        if stale:
            raise StalePreview(stale, versions)
        edits = {s: (data, _chosen(s, data, chosen[s], find, replace, match_case))
                 for s, (_, data) in current.items()}
        done = []
        for s, (data, matches) in edits.items():
            if not matches:
                continue
            new = replaced(data, matches)
            Transcript.from_dict(new)  # still a transcript every stage reads
            write_transcript_file(paths[s], new, machine=False)
            done.append(Applied(s, len(matches), version_of(paths[s].read_bytes())))
            log.info("%s: replaced %r with %r %d time(s)", s, find, replace, len(matches))
    return done


def _chosen(slug: str, data: dict[str, Any], choice: Choice, find: str, replace: str,
            match_case: bool) -> list[Match]:
    matches = find_matches(data, find, replace, match_case=match_case)
    if choice.ids is None:
        return matches
    by_id = {m.id: m for m in matches}
    missing = [i for i in choice.ids if i not in by_id]
    if missing:
        raise UsageError(f'{slug} has no match "{missing[0][:20]}" of "{find}"', fix="preview again, then apply")
    return [by_id[i] for i in dict.fromkeys(choice.ids)]


# ---------------------------------------------------------------- the show's vocabulary


def in_vocabulary(ws: Workspace, term: str) -> bool:
    """Whether learncast.toml's vocabulary has ``term`` now (in any case)."""
    term = " ".join(term.split()).casefold()
    return any(" ".join(t.split()).casefold() == term for t in load_config(ws.root).vocabulary)


def _vocabulary(ws: Workspace, term: str):
    """(learncast.toml's document, its vocabulary array or None, the term cleaned, whether it
    is there already); ConfigError, naming the file, when the term cannot be added."""
    term = clean(term, "term")
    path = ws.config.path
    doc = tomledit.load(path)
    terms = doc.get("vocabulary")
    if terms is not None and not isinstance(terms, list):
        raise ConfigError(['key "vocabulary" is not a list, so a term cannot be added to it'], path=path)
    there = any(isinstance(t, str) and " ".join(t.split()).casefold() == term.casefold() for t in terms or ())
    problems = check_table({"vocabulary": [*(str(t) for t in terms or ()), term]},
                           [k for k in CONFIG_KEYS if k.name == "vocabulary"])
    if problems and not there:
        raise ConfigError(problems, path=path)
    return doc, terms, term, there


def check_vocabulary(ws: Workspace, term: str) -> None:
    """ConfigError when :func:`add_to_vocabulary` would refuse ``term`` (so a caller can ask
    before it writes anything else)."""
    _vocabulary(ws, term)


def add_to_vocabulary(ws: Workspace, term: str) -> bool:
    """Add ``term`` to ``vocabulary = [...]`` in learncast.toml, keeping every comment; False
    (nothing written) when it is there already in any case. ConfigError when the list would
    not be one learncast.toml accepts (a term too long), naming the file."""
    doc, terms, term, there = _vocabulary(ws, term)
    if there:
        return False
    if terms is not None:
        terms.append(tomledit.toml_item(term))
    else:
        tomledit.set_values(doc, {"vocabulary": [term]})
    tomledit.save(ws.config.path, doc)
    log.info("added %r to the vocabulary in %s", term, ws.config.path)
    return True


__all__ = ["Applied", "Choice", "Found", "Match", "Preview", "StalePreview", "UnknownRecording",
           "add_to_vocabulary", "apply", "cased", "check_vocabulary", "find_matches", "in_vocabulary", "pattern", "preview",
           "replaced"]
