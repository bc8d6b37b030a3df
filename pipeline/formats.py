"""Every caption, transcript and chapter file, rendered from a transcript and its chapters.

These are outputs of the (reviewed) transcript and its chapters, so this module runs after
both stages, and neither stage knows of it:

* ``transcript.vtt``  WebVTT with ``<v Name>`` voice tags (the player's captions track),
* ``transcript.srt``  SubRip, the speaker's name before the first cue of each turn,
* ``transcript.txt``  plain text, one paragraph per speaker turn,
* ``transcript.p20.json``  the Podcasting 2.0 JSON transcript (``<podcast:transcript>``),
* ``chapters.json``  the Podcasting 2.0 chapters (``<podcast:chapters>``).

Each has one name, in ``transcripts/<slug>/`` and in the published ``site/episodes/<slug>/``
alike. :func:`derive` writes them into ``transcripts/<slug>/`` for the team;
publishing writes the redacted ones beside the episode page.

All four read segment text through :func:`_segment_tokens` only, so a redacted
Transcript (same segments, edited text) can be passed in as it is and nothing else needs
to know about redaction.

Captions are cut for reading: at most two lines of :data:`MAX_LINE` characters, at most
:data:`MAX_CUE_SECONDS` on screen, broken at word boundaries, and a long segment becomes
several cues timed from its word timestamps, so each cue is on screen while its words are
spoken. VTT and SRT share the same cues (same times, same line breaks).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from . import __version__
from .chapters import to_p20_chapters
from .fsutil import write_text, write_text_if_changed
from .models import Segment, Transcript

log = logging.getLogger(__name__)

MAX_LINE = 65  # characters per caption line (BBC/Netflix guidance is 37-42 on TV; podcasts players are wider)
MAX_LINES = 2
MAX_CUE_SECONDS = 7.0  # longer cues are hard to follow even when the text fits
MIN_CUE_SECONDS = 1.0  # a one-word cue is held this long when the silence after it allows
SENTENCE_BREAK_CHARS = 40  # a cue this full ends at a sentence end rather than mid-next-sentence

FILE_NAMES = {
    "vtt": "transcript.vtt",
    "srt": "transcript.srt",
    "txt": "transcript.txt",
    "p20": "transcript.p20.json",
}
CHAPTERS_NAME = "chapters.json"


@dataclass(frozen=True)
class Cue:
    """One caption on screen: times in milliseconds, plain (unescaped) text lines.

    ``label`` is the speaker's display name when this cue opens a speaker turn, else "".
    The line layout already leaves room for ``"label: "`` before the first line, so SRT can
    print it there and VTT (which names the voice in a tag instead) cuts at the same places.
    """

    start_ms: int
    end_ms: int
    speaker: str
    name: str
    lines: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class _Token:
    start: float
    end: float
    text: str


# ---------------------------------------------------------------- text, the one place it is read


def _clean_tokens(text: str) -> list[str]:
    """Whitespace-separated tokens without control characters (NUL, ESC, ...).

    ``str.split()`` also splits on Unicode line and paragraph separators, so no token can
    start a new line inside a cue or a paragraph.
    """
    if not _CONTROL.search(text):  # nearly always: no copy, no per-character work
        return text.split()
    return [tok for tok in (_CONTROL.sub("", raw) for raw in text.split()) if tok]


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # exactly Unicode category Cc


def _segment_tokens(seg: Segment) -> list[str]:
    """The words of a segment as every format shows them: the one place text is read."""
    return _clean_tokens(seg.text)


def _display_name(t: Transcript, key: str) -> str:
    name = " ".join(_clean_tokens(t.speaker_name(key)))
    return name or key


def _timed_tokens(seg: Segment) -> list[_Token]:
    """The segment's text as tokens, each with the time it is spoken.

    The text is the authority (a person may have corrected it, or redaction replaced
    words); word timestamps only time it. When the words still match the text one to
    one they time each token exactly; otherwise the tokens are spread over the segment
    in proportion to their length.
    """
    tokens = _segment_tokens(seg)
    words = [w for w in seg.words if w.word.strip()]
    if words and len(words) == len(tokens):
        return [_Token(w.start, max(w.end, w.start), tok) for w, tok in zip(words, tokens)]
    total = sum(len(tok) + 1 for tok in tokens) or 1
    span = max(seg.end - seg.start, 0.0)
    out, pos = [], 0
    for tok in tokens:
        start = seg.start + span * pos / total
        pos += len(tok) + 1
        out.append(_Token(start, seg.start + span * pos / total, tok))
    return out


def _turn_texts(t: Transcript) -> Iterator[tuple[str, str]]:
    """(speaker key, text) per speaker turn: consecutive same-speaker segments merged."""
    key = ""
    parts: list[str] = []
    for seg in t.segments:
        text = " ".join(_segment_tokens(seg))
        if not text:
            continue
        if seg.speaker != key and parts:
            yield key, " ".join(parts)
            parts = []
        key = seg.speaker
        parts.append(text)
    if parts:
        yield key, " ".join(parts)


# ---------------------------------------------------------------- cues


def _best_split(lens: list[int], total: int, lead_len: int, lead_space: bool) -> int | None:
    """Where to break tokens of these lengths into two balanced lines: 0 for one line,
    ``i`` for a break before token ``i``, None when they don't fit in two.

    ``total`` is the one-line length (lengths plus a space between tokens). Tokens hold no
    spaces, so a line has one exactly when it has two tokens; a line of one over-long
    token has to stand alone. Lengths only: packing calls this for every token.
    """
    n = len(lens)
    if n == 1 or lead_len + total <= MAX_LINE:
        return 0
    best: tuple[int, int] | None = None
    first = -1
    for i in range(1, n):
        first += lens[i - 1] + 1
        second = total - first - 1
        if ((lead_len + first <= MAX_LINE or (i == 1 and not lead_space))
                and (second <= MAX_LINE or i == n - 1)):
            score = max(lead_len + first, second)
            if best is None or score < best[0]:
                best = (score, i)
    return None if best is None else best[1]


def _lines(texts: list[str], split: int) -> list[str]:
    return [" ".join(texts)] if split == 0 else [" ".join(texts[:split]), " ".join(texts[split:])]


def _layout(texts: list[str], lead: str = "") -> list[str] | None:
    """Break tokens into at most two balanced lines, or None when they don't fit.

    ``lead`` (e.g. ``"Name: "``) is counted in the first line's length but not returned.
    """
    lens = [len(x) for x in texts]
    split = _best_split(lens, sum(lens) + len(lens) - 1, len(lead), " " in lead)
    return None if split is None else _lines(texts, split)


def _pack(tokens: list[_Token], lead: str) -> list[tuple[list[_Token], list[str]]]:
    """Greedily fill cues with tokens; start a new cue when the text no longer fits in
    two lines, the cue would stay up too long, or a full enough cue reaches a sentence end."""
    out: list[tuple[list[_Token], list[str]]] = []
    cur: list[_Token] = []
    lens: list[int] = []  # the lengths of cur's tokens
    total = split = 0  # cur on one line: its length; and where its lines break (see _best_split)

    def close() -> None:
        out.append((cur, _lines([x.text for x in cur], split)))

    for tok in tokens:
        if cur:
            lead_here = "" if out else lead
            lens.append(len(tok.text))
            grown = total + len(tok.text) + 1
            candidate = _best_split(lens, grown, len(lead_here), " " in lead_here)
            too_long = tok.end - cur[0].start > MAX_CUE_SECONDS
            sentence_end = cur[-1].text.endswith((".", "?", "!", "…")) and total >= SENTENCE_BREAK_CHARS
            if candidate is None or too_long or sentence_end:
                close()
                cur = []
            else:
                cur.append(tok)
                total, split = grown, candidate
                continue
        cur, lens, total, split = [tok], [len(tok.text)], len(tok.text), 0
    if cur:
        close()
    return out


def cues(t: Transcript) -> list[Cue]:
    """The caption cues shared by VTT and SRT: non-overlapping, in order, inside the audio."""
    raw: list[Cue] = []
    previous_speaker: str | None = None
    for seg in t.segments:
        tokens = _timed_tokens(seg)
        if not tokens:
            continue
        name = _display_name(t, seg.speaker)
        lead = f"{name}: " if seg.speaker != previous_speaker else ""
        previous_speaker = seg.speaker
        for i, (group, lines) in enumerate(_pack(tokens, lead)):
            raw.append(Cue(
                start_ms=round(group[0].start * 1000), end_ms=round(group[-1].end * 1000),
                speaker=seg.speaker, name=name, lines=tuple(lines),
                label=name if (i == 0 and lead) else "",
            ))
    return _retime(raw, t.duration)


def _retime(raw: list[Cue], duration: float) -> list[Cue]:
    """Make times monotonic and non-overlapping, inside [0, duration], and hold very short
    cues up to :data:`MIN_CUE_SECONDS` when the gap before the next cue allows."""
    limit = round(duration * 1000) if duration > 0 else None
    out: list[Cue] = []
    last_end = 0
    for i, cue in enumerate(raw):
        start = max(cue.start_ms, last_end)
        end = max(cue.end_ms, start + 1)
        next_start = raw[i + 1].start_ms if i + 1 < len(raw) else None
        wanted = start + round(MIN_CUE_SECONDS * 1000)
        if end < wanted:
            end = wanted if next_start is None else max(end, min(wanted, next_start))
        if limit is not None:
            start, end = min(start, limit), min(end, limit)
        out.append(Cue(start, end, cue.speaker, cue.name, cue.lines, cue.label))
        last_end = end
    return out


# ---------------------------------------------------------------- renderers


def _timestamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def _vtt_escape(text: str) -> str:
    # &, < and > are the only characters WebVTT cue text reserves; escaping > also means a
    # literal "-->" becomes "--&gt;" and can never be read as a timing line.
    return html.escape(text, quote=False)


def to_vtt(t: Transcript, cue_list: list[Cue] | None = None) -> str:
    """WebVTT, every cue's voice named in a ``<v Name>`` tag (``cue_list``: ``cues(t)``, if made)."""
    blocks = ["WEBVTT"]
    for i, cue in enumerate(cues(t) if cue_list is None else cue_list, 1):
        lines = [_vtt_escape(line) for line in cue.lines]
        lines[0] = f"<v {_vtt_escape(cue.name)}>{lines[0]}"
        blocks.append(f"{i}\n{_timestamp(cue.start_ms, '.')} --> {_timestamp(cue.end_ms, '.')}\n" + "\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _srt_text(text: str) -> str:
    # SubRip has no escaping; the one sequence that can break its structure is the arrow.
    return text.replace("-->", "→")


def to_srt(t: Transcript, cue_list: list[Cue] | None = None) -> str:
    """SubRip, the speaker's name before the first cue of each of their turns."""
    blocks = []
    for i, cue in enumerate(cues(t) if cue_list is None else cue_list, 1):
        lines = [_srt_text(line) for line in cue.lines]
        if cue.label:
            lines[0] = f"{_srt_text(cue.label)}: {lines[0]}"
        blocks.append(f"{i}\n{_timestamp(cue.start_ms, ',')} --> {_timestamp(cue.end_ms, ',')}\n" + "\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def to_txt(t: Transcript) -> str:
    """Plain text: one ``Name: text`` paragraph per speaker turn, blank lines between."""
    paragraphs = [f"{_display_name(t, key)}: {text}" for key, text in _turn_texts(t)]
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


def to_p20_json(t: Transcript) -> dict[str, Any]:
    """The Podcasting 2.0 JSON transcript: one entry per segment, speaker by display name."""
    segments = []
    for seg in t.segments:
        body = " ".join(_segment_tokens(seg))
        if body:
            segments.append({
                "speaker": _display_name(t, seg.speaker),
                "startTime": round(seg.start, 3),
                "endTime": round(max(seg.end, seg.start), 3),
                "body": body,
            })
    return {"version": "1.0.0", "segments": segments}


def render_all(t: Transcript) -> dict[str, str]:
    """Every transcript format's text, by kind (see FILE_NAMES)."""
    cue_list = cues(t)  # shared by the VTT and the SRT
    return {"vtt": to_vtt(t, cue_list), "srt": to_srt(t, cue_list), "txt": to_txt(t),
            "p20": json_text(to_p20_json(t))}


def chapters_text(t: Transcript, page_url: str) -> str:
    """The Podcasting 2.0 chapters file; each chapter links to its anchor on ``page_url``."""
    return json_text(to_p20_chapters(t.chapters, page_url))


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_all(t: Transcript, folder: Path) -> dict[str, Path]:
    """Write every transcript format into ``folder``; returns kind -> path.

    Each file is written atomically and only when its content changed, so an unchanged
    transcript keeps its files' modification times (and rsync/CDN caches stay warm).
    """
    folder = Path(folder)
    paths = {kind: folder / name for kind, name in FILE_NAMES.items()}
    changed = [write_text_if_changed(paths[kind], text) for kind, text in render_all(t).items()]
    log.debug("transcript formats in %s: %d of %d rewritten", folder, sum(changed), len(changed))
    return paths


def derive(t: Transcript, folder: Path, page_url: str, memo: Path) -> bool:
    """Re-derive every format in ``folder`` from ``t`` (writes only what changed).

    ``memo`` remembers what the formats were made from, so an unchanged transcript costs
    one hash, not five renderings. Returns whether anything was rendered.
    """
    key = hashlib.sha256(json.dumps([t.to_dict(), page_url, __version__], sort_keys=True,
                                    ensure_ascii=False).encode("utf-8")).hexdigest()
    outputs = [folder / name for name in (*FILE_NAMES.values(), CHAPTERS_NAME)]
    try:
        if memo.read_text(encoding="utf-8") == key and all(p.is_file() for p in outputs):
            return False
    except OSError:
        pass
    write_all(t, folder)
    write_text_if_changed(folder / CHAPTERS_NAME, chapters_text(t, page_url))
    write_text(memo, key)
    return True


__all__ = ["Cue", "FILE_NAMES", "MAX_LINE", "cues", "to_vtt", "to_srt", "to_txt", "to_p20_json", "render_all",
           "chapters_text", "json_text", "write_all", "derive", "CHAPTERS_NAME"]
