"""Key quotes and takeaways: the team's picks, in files of their own.

``transcripts/<slug>/quotes.toml`` holds the key quotes the team chose, each a span of
the recording that starts and ends on words (``learncast quote``)::

    [[quote]]
    start = "1:23.400"
    end = "1:31.000"
    note = "for the newsletter"      # for the team; never published

``transcripts/<slug>/takeaways.toml`` holds the team's short takeaways ("top tips"),
each about one chapter, named by its question id (``learncast takeaway``)::

    [[takeaway]]
    chapter = "rules"
    text = "Ask which steps protect anyone, and stop the ones that only protect the process."

Both are a person's files: written only through :mod:`pipeline.tomledit` (comments kept),
never by a build. A quote stores no words: what it says is read at every build from the
redacted transcript, so a correction reaches it and a cut word never does. A quote that
overlaps a redaction is refused here, and dropped (with a warning) by a build that finds
one, never published.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from . import redact, timecodes, tomledit
from .config import read_toml
from .errors import InputError, UsageError
from .models import Chapter, Quote, Takeaway, Transcript
from .timecodes import parse_time

log = logging.getLogger(__name__)

QUOTES_NAME = "quotes.toml"
TAKEAWAYS_NAME = "takeaways.toml"
QUOTE_MAX_SECONDS = 120.0  # a key quote is a moment, not an answer (and a feed soundbite)
TAKEAWAY_MAX_CHARS = 300
_TOKEN = re.compile(r"[\w']+", re.UNICODE)
_QUOTES_HEADER = "# The team's key quotes for this recording. See `learncast quote --help`.\n"
_TAKEAWAYS_HEADER = "# The team's takeaways for this recording, per chapter. See `learncast takeaway --help`.\n"


@dataclass(frozen=True)
class QuoteEntry:
    """One ``[[quote]]``: a span in seconds, and the team's note."""

    start: float
    end: float
    note: str = ""

    def describe(self) -> str:
        span = f"{timecodes.clock(self.start, places=1)}-{timecodes.clock(self.end, places=1)}"
        return span + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class TakeawayEntry:
    """One ``[[takeaway]]``: a chapter's question id and the team's words."""

    chapter: str
    text: str

    def describe(self) -> str:
        return f"{self.chapter}: {self.text}"


# ---------------------------------------------------------------- the files


def _problems_error(path: Path, problems: list[str], fix: str) -> InputError:
    return InputError("; ".join(problems), path=path, fix=fix)


def _tables(folder: Path, name: str, key: str, fix: str) -> tuple[Path, list[Any], list[str]]:
    path = folder / name
    if not path.is_file():
        return path, [], []
    data = read_toml(path, error=lambda what, how: InputError(what, path=path, fix=how or fix))
    problems = [f'unknown key "{k}"; entries go in [[{key}]] tables' for k in sorted(set(data) - {key})]
    tables = data.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputError(f'"{key}" must be a list of [[{key}]] tables', path=path, fix=fix)
    return path, tables, problems


def _quote_fix(slug: str) -> str:
    return f"correct the entry (start and end as SS, MM:SS or H:MM:SS), or remove it with `learncast quote {slug} --remove N`"


def load_quotes(folder: Path) -> list[QuoteEntry]:
    """Read ``quotes.toml`` ([] without one); InputError naming every bad entry and the fix."""
    fix = _quote_fix(folder.name)
    path, tables, problems = _tables(folder, QUOTES_NAME, "quote", fix)
    out: list[QuoteEntry] = []
    for i, t in enumerate(tables, 1):
        where = f"quote {i}"
        extra = sorted(set(t) - {"start", "end", "note"})
        if extra:
            problems.append(f'{where}: unknown key "{extra[0]}" (allowed: start, end, note)')
            continue
        if "start" not in t or "end" not in t:
            problems.append(f'{where}: needs "start" and "end"')
            continue
        note = t.get("note", "")
        try:
            start, end = parse_time(t["start"]), parse_time(t["end"])
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        problem = span_problem(start, end) or (None if isinstance(note, str) else '"note" must be a string')
        if problem:
            problems.append(f"{where}: {problem}")
        else:
            out.append(QuoteEntry(start, end, note.strip()))
    if problems:
        raise _problems_error(path, problems, fix)
    return out


def span_problem(start: float, end: float) -> str | None:
    if end <= start:
        return "the end must come after the start"
    if end - start > QUOTE_MAX_SECONDS:
        return f"a quote is at most {int(QUOTE_MAX_SECONDS)} seconds long (this one is {end - start:.0f})"
    return None


def load_takeaways(folder: Path) -> list[TakeawayEntry]:
    """Read ``takeaways.toml`` ([] without one); InputError naming every bad entry and the fix."""
    fix = (f'give each [[takeaway]] a chapter (a question id) and a short text, or remove it with '
           f'`learncast takeaway {folder.name} --remove N`')
    path, tables, problems = _tables(folder, TAKEAWAYS_NAME, "takeaway", fix)
    out: list[TakeawayEntry] = []
    for i, t in enumerate(tables, 1):
        where = f"takeaway {i}"
        extra = sorted(set(t) - {"chapter", "text"})
        chapter, text = t.get("chapter"), t.get("text")
        if extra:
            problems.append(f'{where}: unknown key "{extra[0]}" (allowed: chapter, text)')
        elif not isinstance(chapter, str) or not chapter.strip():
            problems.append(f'{where}: needs "chapter", a question id such as "rules"')
        elif not isinstance(text, str) or not text.strip():
            problems.append(f'{where}: needs "text", the takeaway in a sentence or two')
        elif (problem := takeaway_problem(text)) is not None:
            problems.append(f"{where}: {problem}")
        else:
            out.append(TakeawayEntry(chapter.strip(), " ".join(text.split())))
    if problems:
        raise _problems_error(path, problems, fix)
    return out


def takeaway_problem(text: str) -> str | None:
    if not _TOKEN.search(text):
        return "a takeaway needs words"
    if len(" ".join(text.split())) > TAKEAWAY_MAX_CHARS:
        return f"a takeaway is short: at most {TAKEAWAY_MAX_CHARS} characters"
    return None


def _save(folder: Path, name: str, key: str, header: str, written: Sequence[Any], entries: Sequence[Any],
          values: Callable[[Any], dict[str, Any]]) -> Path:
    """Write the file with ``entries``, keeping what a person wrote (see :func:`pipeline.redact.save`)."""
    path = folder / name
    doc = tomledit.load(path, header=header)
    try:
        tomledit.entries(doc, key)
    except tomledit.CannotEdit as exc:
        raise UsageError(f"cannot change this file without losing what is written in it ({exc})", path=path,
                         fix="make the change by hand in the file") from None
    kept, gone = 0, set()
    for i, e in enumerate(written):
        if kept < len(entries) and entries[kept] == e:
            kept += 1
        else:
            gone.add(i)
    tomledit.remove_entries(doc, key, gone)
    for e in entries[kept:]:
        tomledit.add_entry(doc, key, values(e))
    folder.mkdir(parents=True, exist_ok=True)
    return tomledit.save(path, doc)


def _exact(seconds: float) -> str:
    return timecodes.clock(seconds, places=3, trim=False, hours=False)


def save_quotes(folder: Path, entries: Sequence[QuoteEntry]) -> Path:
    return _save(folder, QUOTES_NAME, "quote", _QUOTES_HEADER, load_quotes(folder), list(entries),
                 lambda e: {"start": _exact(e.start), "end": _exact(e.end), **({"note": e.note} if e.note else {})})


def save_takeaways(folder: Path, entries: Sequence[TakeawayEntry]) -> Path:
    return _save(folder, TAKEAWAYS_NAME, "takeaway", _TAKEAWAYS_HEADER, load_takeaways(folder), list(entries),
                 lambda e: {"chapter": e.chapter, "text": e.text})


def remove(entries: list[Any], numbers: Iterable[int], path: Path, fix: str) -> list[Any]:
    """``entries`` without the 1-based ``numbers``; UsageError for a number that is not there."""
    numbers = set(numbers)
    bad = sorted(n for n in numbers if not 1 <= n <= len(entries))
    if bad:
        raise UsageError(f"there is no entry {bad[0]}", path=path, fix=fix)
    return [e for i, e in enumerate(entries, 1) if i not in numbers]


# ---------------------------------------------------------------- words and spans


def _norm(token: str) -> str:
    return "".join(_TOKEN.findall(token.lower().replace("\u2019", "'")))


def timed_tokens(transcript: Transcript) -> list[tuple[float, float, str, str]]:
    """Every token of the text as (start, end, token, speaker), in time order.

    The text is the authority (a person may have corrected it): word timings time it
    only while they match it one to one; otherwise its tokens are spread over the
    segment in proportion to their length, as the pages do.
    """
    out: list[tuple[float, float, str, str]] = []
    for seg in sorted(transcript.segments, key=lambda s: (s.start, s.end)):
        tokens = seg.text.split()
        words = [w for w in seg.words if w.word.strip()]
        if words and len(words) == len(tokens):
            out += [(w.start, w.end, tok, seg.speaker) for w, tok in zip(words, tokens)]
            continue
        total = sum(len(tok) + 1 for tok in tokens) or 1
        span, pos = max(seg.end - seg.start, 0.0), 0
        for tok in tokens:
            a = seg.start + span * pos / total
            pos += len(tok) + 1
            out.append((a, seg.start + span * pos / total, tok, seg.speaker))
    return out


def _inside(tok: tuple[float, float, str, str], start: float, end: float) -> bool:
    mid = (tok[0] + tok[1]) / 2
    return start - 0.01 <= mid <= end + 0.01


def snap(transcript: Transcript, start: float, end: float) -> tuple[float, float]:
    """The span of the words whose middles fall between ``start`` and ``end``; ValueError with none."""
    inside = [t for t in timed_tokens(transcript) if _inside(t, start, end)]
    if not inside:
        raise ValueError(f"no words between {timecodes.clock(start, places=1)} and {timecodes.clock(end, places=1)}")
    return round(inside[0][0], 3), round(inside[-1][1], 3)


def find_phrase(transcript: Transcript, phrase: str) -> list[tuple[float, float]]:
    """Every span where ``phrase`` is said (whole words, any case, punctuation ignored)."""
    target = [n for n in (_norm(t) for t in phrase.split()) if n]
    if not target:
        return []
    tokens = timed_tokens(transcript)
    norms = [_norm(t[2]) for t in tokens]
    return [(round(tokens[i][0], 3), round(tokens[i + len(target) - 1][1], 3))
            for i in range(len(tokens) - len(target) + 1) if norms[i:i + len(target)] == target]


def overlaps(start: float, end: float, spans: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    return next(((a, b) for a, b in spans if a < end and b > start), None)


def quote_text(transcript: Transcript, start: float, end: float) -> tuple[str, str]:
    """(the words said between start and end, the key of who says most of them)."""
    inside = [t for t in timed_tokens(transcript) if _inside(t, start, end)]
    speakers: dict[str, int] = {}
    for t in inside:
        speakers[t[3]] = speakers.get(t[3], 0) + 1
    who = max(speakers, key=lambda k: speakers[k]) if speakers else ""
    return " ".join(" ".join(t[2] for t in inside).split()), who


# ---------------------------------------------------------------- what a build publishes


@dataclass(frozen=True)
class Published:
    quotes: tuple[Quote, ...]
    takeaways: tuple[Takeaway, ...]
    notes: tuple[str, ...]  # one line per entry left out, for the recording's status


def publish(folder: Path, applied: redact.Applied, slug: str) -> Published:
    """The quotes and takeaways to publish for one recording, from its redacted transcript.

    A quote that overlaps a redaction (or reads ``[redacted]``) or no longer has words,
    and a takeaway about a chapter the recording no longer has, is left out with a
    warning and a note: never published.
    """
    transcript = applied.transcript
    notes: list[str] = []
    quotes: list[Quote] = []
    for i, e in enumerate(load_quotes(folder), 1):
        text, who = quote_text(transcript, e.start, e.end)
        if overlaps(e.start, e.end, applied.spans) or redact.MARKER in text:
            notes.append(f"quote {i} ({e.describe()}) overlaps a redaction, so it is not published; "
                         f"choose it again around the cut (`learncast quote {slug} --list`)")
        elif not text:
            notes.append(f"quote {i} ({e.describe()}) has no words now, so it is not published")
        else:
            quotes.append(Quote(start=e.start, end=e.end, text=text,
                                speaker=transcript.speaker_name(who) if who else ""))
    chapters = {c.question for c in transcript.chapters}
    takeaways: list[Takeaway] = []
    for i, t in enumerate(load_takeaways(folder), 1):
        if t.chapter not in chapters:
            notes.append(f'takeaway {i} is about the chapter "{t.chapter}", which this recording no longer has, '
                         "so it is not published")
        else:
            takeaways.append(Takeaway(chapter=t.chapter, text=applied.text(t.text) or ""))
    for note in notes:
        log.warning("%s: %s", slug, note)
    return Published(tuple(sorted(quotes, key=lambda q: q.start)), tuple(takeaways), tuple(notes))


# ---------------------------------------------------------------- what the command line checks


def choose_span(transcript: Transcript, cuts: Sequence[tuple[float, float]], *, start: float | None = None,
                end: float | None = None, phrase: str | None = None) -> tuple[float, float]:
    """The span a new quote takes, on word boundaries; UsageError (one line) when it cannot be a quote."""
    if phrase is not None:
        found = find_phrase(transcript, phrase)
        if not found:
            raise UsageError(f'"{phrase}" is not said in the transcript', fix="give the exact words, or --from and --to")
        if len(found) > 1 and start is None:
            at = ", ".join(timecodes.clock(a, places=1) for a, _ in found[:5])
            raise UsageError(f'"{phrase}" is said {len(found)} times (at {at})',
                             fix="add --from TIME near the one you mean, or give more words")
        if start is not None:
            found = [min(found, key=lambda s: abs(s[0] - start))]
        span = found[0]
    else:
        if start is None or end is None:
            raise UsageError("a quote needs --from and --to, or --phrase", fix="e.g. --from 1:23.4 --to 1:31")
        try:
            span = snap(transcript, start, end)
        except ValueError as exc:
            raise UsageError(str(exc), fix="check the times against the transcript (`learncast status`)") from None
    problem = span_problem(*span)
    if problem:
        raise UsageError(problem, fix="choose a shorter span")
    cut = overlaps(span[0], span[1], cuts)
    if cut:
        raise UsageError(f"the quote {timecodes.clock(span[0], places=1)}-{timecodes.clock(span[1], places=1)} "
                         f"overlaps a redaction ({timecodes.clock(cut[0], places=1)}-{timecodes.clock(cut[1], places=1)})",
                         fix="choose words before or after the cut")
    return span


def current_transcript(ws: Any, slug: str) -> tuple[Transcript, tuple[tuple[float, float], ...]]:
    """The recording's transcript with the chapters in use, and the spans its redactions cut."""
    from .chapters.correct import current
    from .transcribe import TRANSCRIPT_NAME, load_transcript_file

    try:
        _, transcript, _ = current(ws, slug)
    except UsageError:  # not chaptered yet: a quote needs only the words
        path = ws.transcript_dir(slug) / TRANSCRIPT_NAME
        if not path.is_file():
            raise
        _, transcript = load_transcript_file(path)
    return transcript, redact.apply(transcript, redact.load(ws.transcript_dir(slug))).spans


def chapter_ids(transcript: Transcript) -> list[str]:
    seen: list[str] = []
    for c in sorted(transcript.chapters, key=lambda c: c.start):
        if c.question not in seen:
            seen.append(c.question)
    return seen


def with_text(entries: Sequence[QuoteEntry], transcript: Transcript) -> list[tuple[QuoteEntry, str]]:
    """Each entry with the words it spans now (unredacted: for the team's listing only)."""
    return [(e, quote_text(transcript, e.start, e.end)[0]) for e in entries]


def chapter_of(chapters: Sequence[Chapter], t: float) -> Chapter | None:
    """The chapter playing at ``t`` (the last one starting at or before it)."""
    best = None
    for c in sorted(chapters, key=lambda c: c.start):
        if c.start <= t + 1e-3:
            best = c
    return best


__all__ = ["QUOTES_NAME", "TAKEAWAYS_NAME", "QuoteEntry", "TakeawayEntry", "Published", "choose_span",
           "chapter_ids", "current_transcript", "find_phrase", "load_quotes", "load_takeaways", "publish",
           "quote_text", "remove", "save_quotes", "save_takeaways", "snap"]
