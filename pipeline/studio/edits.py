"""A person's edit to a transcript, checked and timed before it is saved.

The studio sends a recording's segments (each with its ``text``, ``speaker`` and the
``words`` it had when the page loaded) and its ``speakers`` map. Where a turn's text no
longer reads as its words, :func:`retime` gives it new words:

* a word the person did not change keeps its exact timings and probability;
* each run of changed words gets the time span of the words it replaces (from the start
  of the first replaced word to the end of the last), shared out evenly among the new
  words; a word typed where there was none gets the gap between its neighbours;
* a word a person typed is certain (probability 1.0): they heard it;
* a word a person marked as checked (``"checked": true``) is no longer uncertain, whatever
  its probability, and keeps the mark while it is not changed.

Splitting and joining turns moves words between segments without changing them: the
page sends each new turn with the very words (and timings) it took from the old one, so
its text reads as its words and nothing is retimed. Undo sends back an earlier state's
words the same way, so undoing an edit restores the exact timings it replaced.

Nothing is re-aligned against the audio: the span a new word gets is the span of what
was said there, which is enough to seek to it and to keep captions in place.
"""

from __future__ import annotations

from typing import Any

from ..models import Transcript
from ..wordedit import retime, version_of  # noqa: F401 - shared with find and replace; re-exported

UNCERTAIN_BELOW = 0.5  # a word the engine gave a lower probability than this is marked for checking
MAX_TEXT = 20_000  # characters in one turn


class BadEdit(ValueError):
    """The edit cannot be saved; the message is one line for the person."""


def uncertain_count(data: dict[str, Any], threshold: float = UNCERTAIN_BELOW) -> int:
    return sum(1 for seg in data.get("segments", ()) if isinstance(seg, dict)
               for w in seg.get("words", ()) if isinstance(w, dict) and is_uncertain(w, threshold))


def is_uncertain(word: dict[str, Any], threshold: float = UNCERTAIN_BELOW) -> bool:
    """Below the threshold and not checked by a person."""
    return word.get("checked") is not True and float(word.get("probability", 1.0)) < threshold


def _words_text(words: list[dict[str, Any]]) -> str:
    return " ".join(w["word"].strip() for w in words)


def _spelled(seg: dict[str, Any]) -> bool:
    """The turn's words read as its text (not so after a text editor changed only the text)."""
    words, text = seg.get("words"), seg.get("text")
    try:
        return isinstance(text, str) and _words_text(words) == " ".join(text.split())
    except (TypeError, KeyError, AttributeError):
        return False


def check_segment(i: int, seg: Any, speakers: dict[str, str]) -> dict[str, Any]:
    """One segment of the body, checked; BadEdit naming what is wrong."""
    where = f"segment {i + 1}"
    if not isinstance(seg, dict):
        raise BadEdit(f"{where} is not an object")
    for key, kinds in (("start", (int, float)), ("end", (int, float)), ("text", (str,)),
                       ("speaker", (str,)), ("words", (list,))):
        if not isinstance(seg.get(key), kinds) or isinstance(seg.get(key), bool):
            raise BadEdit(f'{where} needs "{key}"')
    if seg["end"] < seg["start"] or seg["start"] < 0:
        raise BadEdit(f"{where} ends before it starts")
    if len(seg["text"]) > MAX_TEXT:
        raise BadEdit(f"{where} is longer than {MAX_TEXT} characters")
    if seg["speaker"] not in speakers:
        raise BadEdit(f'{where} has the speaker "{seg["speaker"][:40]}", who is not in "speakers"')
    words = []
    for w in seg["words"]:
        if not (isinstance(w, dict) and isinstance(w.get("word"), str)
                and all(isinstance(w.get(k), (int, float)) and not isinstance(w.get(k), bool)
                        for k in ("start", "end"))):
            raise BadEdit(f"{where} has a word without start, end and word")
        p = w.get("probability", 1.0)
        if not isinstance(p, (int, float)) or isinstance(p, bool):
            raise BadEdit(f"{where} has a word whose probability is not a number")
        if w.get("checked", False) not in (True, False):
            raise BadEdit(f'{where} has a word whose "checked" is not true or false')
        words.append({"start": w["start"], "end": w["end"], "word": w["word"], "probability": p,
                      **({"checked": True} if w.get("checked") is True else {})})
    text = " ".join(seg["text"].split())
    if _words_text(words) != text:
        words = retime(words, text)
    return {"start": seg["start"], "end": seg["end"], "text": text, "speaker": seg["speaker"], "words": words}


def apply_edit(data: dict[str, Any], body: Any) -> dict[str, Any]:
    """transcript.json's ``data`` with the body's segments and speakers in place of its own.

    Everything else in the file (engine, model, checksum, chapters...) stays as it is; the
    checksum staying is what tells every later build that the file is now a person's.
    """
    if not isinstance(body, dict):
        raise BadEdit("the body must be a JSON object")
    speakers, segments = body.get("speakers"), body.get("segments")
    if not isinstance(speakers, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                 for k, v in speakers.items()):
        raise BadEdit('"speakers" must map each speaker to a name')
    if not isinstance(segments, list):
        raise BadEdit('"segments" must be a list')
    speakers = {k: " ".join(v.split()) for k, v in speakers.items()}
    before = data.get("segments") if isinstance(data.get("segments"), list) else []
    out, changed = [], []
    for i, seg in enumerate(segments):
        if (i < len(before) and seg == before[i] and isinstance(seg, dict) and seg.get("speaker") in speakers
                and _spelled(seg)):
            out.append(before[i])  # as saved and its words spell its text: nothing to check or time again
            continue
        out.append(check_segment(i, seg, speakers))
        changed.append(out[-1])
    try:  # what was saved before was read back then; the turns that changed are read now
        Transcript.from_dict(dict(data, segments=changed, speakers=speakers))
    except (KeyError, TypeError, ValueError) as exc:
        raise BadEdit(f"the transcript cannot be read: {exc}") from None
    return dict(data, segments=out, speakers=speakers)
