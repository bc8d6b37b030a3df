"""Redaction: what an interviewee asks to cut is cut from everything published.

A capture team lists cuts in ``transcripts/<slug>/redactions.toml``, by hand or with
``learncast redact``::

    [[redact]]
    text = "Councillor Brown"        # every occurrence, whole words, any case
    reason = "named a colleague"

    [[redact]]
    start = "12:30"                  # a time range, seconds or MM:SS or H:MM:SS
    end = "12:41"
    reason = "talks about a live case"

Phrases are matched afresh against the current transcript at every build, so a cut
survives re-transcription and hand edits. The canonical ``transcript.json`` and the
recording stay untouched for the team; only what is published is redacted: the text
becomes ``[redacted]``, and the audio in each cut span becomes silence of the same length.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from . import timecodes, tomledit
from .config import Key, check_table, read_toml
from .errors import ConfigError, UsageError
from .models import RecordingMeta, Segment, Transcript, Word
from .timecodes import parse_time

REDACTIONS_NAME = "redactions.toml"
MARKER = "[redacted]"
_WORD = re.compile(r"[\w']+", re.UNICODE)


@dataclass(frozen=True)
class Redaction:
    """One entry: a phrase (``text``) or a time range (``start``..``end``)."""

    text: str | None = None
    start: float | None = None
    end: float | None = None
    reason: str = ""

    @property
    def kind(self) -> str:
        return "phrase" if self.text is not None else "range"

    def describe(self) -> str:
        if self.text is not None:
            what = f'"{self.text}"'
        else:  # M:SS or H:MM:SS, to a tenth of a second (a word or two is shorter than a second)
            what = f'{timecodes.clock(self.start, places=1, none="0:00")}-{timecodes.clock(self.end, places=1, none="0:00")}'
        return f"{self.kind} {what}" + (f" ({self.reason})" if self.reason else "")


# ---------------------------------------------------------------- times


def parse_range(text: str) -> tuple[float, float]:
    """``START-END`` in seconds or MM:SS, e.g. ``12:30-12:41``."""
    if "-" not in text:
        raise ValueError(f'not a range: "{text}" (use START-END, e.g. 12:30-12:41)')
    a, b = text.split("-", 1)
    start, end = parse_time(a), parse_time(b)
    if end <= start:
        raise ValueError(f'the range "{text}" ends before it starts')
    return start, end


def _exact(seconds: float | None) -> str:
    """``M:SS`` (minutes past 59 too) with the milliseconds there are, as the file keeps a range."""
    return timecodes.clock(seconds, places=3, trim=False, hours=False, none="0:00")


# ---------------------------------------------------------------- the file


HEADER = "# What to cut from everything published for this recording. See `learncast redact --help`.\n"
#: The keys of a ``[[redact]]`` entry. Their values are checked together, in _entry.
ENTRY_KEYS = [
    Key("text", lambda _: None, "a phrase: every occurrence is cut"),
    Key("start", lambda _: None, "where a cut time range starts"),
    Key("end", lambda _: None, "where a cut time range ends"),
    Key("reason", lambda _: None, "why, for the team (never published)"),
]


def load(folder: Path) -> list[Redaction]:
    """Read ``redactions.toml``; ConfigError naming every bad entry."""
    path = folder / REDACTIONS_NAME
    if not path.is_file():
        return []
    data = read_toml(path)
    problems: list[str] = []
    unknown = set(data) - {"redact"}
    if unknown:
        problems.append(f'unknown key "{sorted(unknown)[0]}"; entries go in [[redact]] tables')
    entries = data.get("redact", [])
    if not isinstance(entries, list):
        raise ConfigError(['"redact" must be a list of [[redact]] tables'], path=path)
    out: list[Redaction] = []
    for i, e in enumerate(entries, 1):
        where = f"entry {i}"
        if not isinstance(e, dict):
            problems.append(f"{where}: expected a [[redact]] table")
            continue
        problems += [f"{where}: {p}" for p in check_table(e, ENTRY_KEYS)]
        found = _entry(e, where, problems)
        if found is not None:
            out.append(found)
    if problems:
        raise ConfigError(problems, path=path)
    return out


def _entry(e: dict[str, Any], where: str, problems: list[str]) -> Redaction | None:
    reason = e.get("reason", "")
    if not isinstance(reason, str):
        problems.append(f'{where}: "reason" must be a string')
        reason = ""
    if "text" in e:
        if not isinstance(e["text"], str) or not _WORD.search(e["text"]):
            problems.append(f'{where}: "text" must be a phrase with at least one word')
        elif "start" in e or "end" in e:
            problems.append(f"{where}: give either text or start and end, not both")
        else:
            return Redaction(text=e["text"].strip(), reason=reason)
    elif "start" in e and "end" in e:
        try:
            start, end = parse_time(e["start"]), parse_time(e["end"])
            if end <= start:
                raise ValueError("end must be after start")
            return Redaction(start=start, end=end, reason=reason)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    else:
        problems.append(f'{where}: needs "text", or "start" and "end"')
    return None


def save(folder: Path, entries: Iterable[Redaction]) -> Path:
    """Write ``redactions.toml`` (atomically) with these entries, keeping what a person wrote.

    An entry the file already holds stays as written, with its comments; one no longer
    wanted goes, with the comment lines right above it; new ones are added at the end.
    """
    path = folder / REDACTIONS_NAME
    entries = list(entries)
    written = load(folder)  # the file's entries, one per [[redact]] table; ConfigError when it is broken
    doc = tomledit.load(path, header=HEADER)
    try:
        tomledit.entries(doc, "redact")
    except tomledit.CannotEdit as exc:
        raise UsageError(f"cannot change this file without losing what is written in it ({exc})", path=path,
                         fix="make the change by hand in the file") from None
    kept = 0  # the entries asked for that the file already holds, in order
    gone: set[int] = set()
    for i, e in enumerate(written):
        if kept < len(entries) and entries[kept] == e:
            kept += 1
        else:
            gone.add(i)
    tomledit.remove_entries(doc, "redact", gone)
    for e in entries[kept:]:
        values = {"text": e.text} if e.text is not None else {"start": _exact(e.start), "end": _exact(e.end)}
        tomledit.add_entry(doc, "redact", {**values, **({"reason": e.reason} if e.reason else {})})
    return tomledit.save(path, doc)


def fingerprint(entries: Iterable[Redaction]) -> str:
    return hashlib.sha256(json.dumps([dataclasses.astuple(e) for e in entries]).encode()).hexdigest()


# ---------------------------------------------------------------- applying


# A number said is written either way ("eleven days" is often transcribed "11 days"): a cut
# asked for in one form must match the other, or the words are published uncut.
_NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBERS.update({w: str(10 * i) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)})
_NUMBER_WORDS = {v: k for k, v in _NUMBERS.items()}


def _norm(token: str) -> str:
    """A word as matched: lower case, punctuation and a possessive 's dropped, a number word as digits."""
    word = "".join(_WORD.findall(token.lower().replace("\u2019", "'")))
    word = word[:-2] if word.endswith("'s") and len(word) > 2 else word
    return _NUMBERS.get(word, word)


def _word_pattern(word: str) -> str:
    forms = {word, _NUMBERS.get(word.lower(), word), _NUMBER_WORDS.get(word, word)}
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms)) + ")" if len(forms) > 1 else re.escape(word)


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    words = _WORD.findall(phrase)
    body = r"[\W_]+".join(_word_pattern(w) for w in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE | re.UNICODE)


@dataclass(frozen=True)
class Applied:
    """A redacted copy of what is published, and the audio spans to silence."""

    transcript: Transcript
    spans: tuple[tuple[float, float], ...]
    count: int  # entries that matched something
    unmatched: tuple[str, ...] = ()  # phrases that match nothing in the transcript as it now reads

    def text(self, value: str | None) -> str | None:
        """Redact the phrases in a free-text field (title, description, chapter title)."""
        return value if value is None else _redact_text(value, self._patterns)

    _patterns: tuple[re.Pattern[str], ...] = ()


def apply(transcript: Transcript, entries: list[Redaction]) -> Applied:
    """Redact ``transcript``: phrase matches on whole words, time ranges on word times."""
    if not entries:
        return Applied(transcript=transcript, spans=(), count=0)
    patterns = tuple(_phrase_regex(e.text) for e in entries if e.text is not None)
    spans: list[tuple[float, float]] = [(e.start, e.end) for e in entries if e.kind == "range"]
    matched = len(spans)
    unmatched: list[str] = []
    words = [(si, wi, w) for si, s in enumerate(transcript.segments) for wi, w in enumerate(s.words)]
    norms = [_norm(w.word) for _, _, w in words]
    for e in entries:
        if e.text is None:
            continue
        target = [_norm(t) for t in _WORD.findall(e.text)]
        hit = False
        for i in range(len(words) - len(target) + 1):
            if norms[i:i + len(target)] == target:
                spans.append((words[i][2].start, words[i + len(target) - 1][2].end))
                hit = True
        # Text a person edited may no longer match the word timings: silence its whole segment.
        pattern = _phrase_regex(e.text)
        for seg in transcript.segments:
            if pattern.search(seg.text) and not any(a < seg.end and b > seg.start for a, b in spans):
                spans.append((seg.start, seg.end))
                hit = True
        matched += hit
        if not hit:
            unmatched.append(e.text)
    spans = _merge(spans)
    segments = tuple(_redact_segment(s, spans, patterns) for s in transcript.segments)
    chapters = tuple(dataclasses.replace(c, title=_redact_text(c.title, patterns)) for c in transcript.chapters)
    redacted = dataclasses.replace(transcript, segments=segments, chapters=chapters,
                                   speakers={k: _redact_text(v, patterns) for k, v in transcript.speakers.items()})
    return Applied(transcript=redacted, spans=tuple(spans), count=matched, unmatched=tuple(unmatched),
                   _patterns=patterns)


def redact_meta(meta: RecordingMeta, applied: Applied) -> RecordingMeta:
    return dataclasses.replace(meta, title=applied.text(meta.title), description=applied.text(meta.description),
                               interviewee=applied.text(meta.interviewee), role=applied.text(meta.role),
                               interviewer=applied.text(meta.interviewer), location=applied.text(meta.location),
                               season_name=applied.text(meta.season_name),
                               speakers=tuple(dataclasses.replace(p, name=applied.text(p.name) or "")
                                              for p in meta.speakers))


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 0.05:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _redact_text(text: str, patterns: Iterable[re.Pattern[str]]) -> str:
    for p in patterns:
        text = p.sub(MARKER, text)
    return re.sub(rf"(?:{re.escape(MARKER)}[\s,;:.-]*)+{re.escape(MARKER)}", MARKER, text)


def _inside(w: Word, spans: list[tuple[float, float]]) -> bool:
    mid = (w.start + w.end) / 2
    return any(a - 0.01 <= mid <= b + 0.01 for a, b in spans)


def _redact_segment(seg: Segment, spans: list[tuple[float, float]], patterns) -> Segment:
    overlaps = [(a, b) for a, b in spans if a < seg.end and b > seg.start]
    if not overlaps:
        text = _redact_text(seg.text, patterns)
        return seg if text == seg.text else dataclasses.replace(seg, text=text)
    words: list[Word] = []
    for w in seg.words:
        if _inside(w, overlaps):
            if words and words[-1].word.strip() == MARKER:
                words[-1] = dataclasses.replace(words[-1], end=w.end)
            else:
                words.append(Word(start=w.start, end=w.end, word=" " + MARKER, probability=1.0))
        else:
            words.append(w)
    joined = "".join(w.word for w in seg.words)
    if seg.words and _norm(joined) == _norm(seg.text):
        text = "".join(w.word for w in words).strip()  # the words still spell the text
    else:
        text = MARKER  # edited text whose timing is unknown: cut the whole segment to be safe
    return dataclasses.replace(seg, text=_redact_text(text, patterns), words=tuple(words))


def silence_filter(spans: Iterable[tuple[float, float]]) -> str | None:
    """An ffmpeg audio filter that silences ``spans`` and keeps the duration."""
    spans = list(spans)
    if not spans:
        return None
    cond = "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in spans)
    return f"volume=enable='{cond}':volume=0"


def has_words(text: str) -> bool:
    return bool(_WORD.search(text))
