"""A person's change to a transcript's words: the version of the file it was made to, and
the timings the changed words get.

Shared by the studio's editor (:mod:`pipeline.studio.edits`) and find-and-replace
(:mod:`pipeline.replace`), so a word a person changes is timed the same way whichever
tool changed it:

* a word the person did not change keeps its exact timings and probability;
* each run of changed words gets the time span of the words it replaces (from the start
  of the first replaced word to the end of the last), shared out evenly among the new
  words; a word typed where there was none gets the gap between its neighbours;
* a word a person typed is certain (probability 1.0): they heard it.
"""

from __future__ import annotations

import difflib
import hashlib
from typing import Any


def version_of(raw: bytes) -> str:
    """The version of a transcript.json: the sha256 of its bytes."""
    return hashlib.sha256(raw).hexdigest()


def retime(words: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The words of ``text``, timed from ``words`` (the turn's words before the edit); see the
    module docstring for how. The words' own strings keep Whisper's leading space."""
    old = [w["word"].strip() for w in words]
    new = text.split()
    out: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out += [dict(w) for w in words[a0:a1]]
            continue
        if b0 == b1:  # deleted words: their time goes with them
            continue
        if a1 > a0:
            start, end = float(words[a0]["start"]), float(words[a1 - 1]["end"])
        else:  # inserted: the gap between the neighbours
            start = float(words[a0 - 1]["end"]) if a0 > 0 else float(words[0]["start"]) if words else 0.0
            end = float(words[a0]["start"]) if a0 < len(words) else start
            end = max(end, start)
        step = (end - start) / (b1 - b0)
        out += [{"start": round(start + i * step, 3), "end": round(start + (i + 1) * step, 3),
                 "word": " " + token, "probability": 1.0} for i, token in enumerate(new[b0:b1])]
    return out
