"""Where the chapter stage goes wrong, for ``bench.chapters``' report.

* **The low-confidence flag.** A predicted chapter is an *error* when its start is not
  within 5 s of a true chapter start (the first chapter, at 0, always is one) or its label
  is not the true label over most of its span. A chapter is *flagged* when the studio and
  ``learncast chapters`` would mark it "check" (confidence under
  ``pipeline.chapters.LOW_CONFIDENCE``). Precision: the share of flagged chapters that are
  errors; recall: the share of errors that are flagged. A flag worth having holds most of
  the errors (recall) without crying wolf (precision).
* **The confusion table.** Seconds of the interviews where the true label is one thing
  and the predicted label another, from exact interval overlaps, largest first: which
  question (or the introduction, or the closing) is mistaken for which.
"""

from __future__ import annotations

import bisect
from collections import Counter
from typing import Any, Sequence

from pipeline.chapters import LOW_CONFIDENCE
from pipeline.models import Chapter

TOLERANCE = 5.0


def _label_at(chapters: Sequence[tuple[float, str]], t: float) -> str:
    starts = [s for s, _ in chapters]
    return chapters[max(0, bisect.bisect_right(starts, t) - 1)][1]


def _overlaps(truth: Sequence[tuple[float, str]], a: float, b: float) -> Counter:
    """Seconds of [a, b) under each true label."""
    cuts = sorted({a, b, *(s for s, _ in truth if a < s < b)})
    out: Counter = Counter()
    for x, y in zip(cuts, cuts[1:]):
        out[_label_at(truth, (x + y) / 2)] += y - x
    return out


def chapter_errors(truth_data: dict[str, Any], chapters: Sequence[Chapter]) -> list[tuple[Chapter, bool]]:
    """Each predicted chapter, and whether it is an error (see the module docstring)."""
    truth = [(float(c["start"]), c["question"]) for c in truth_data["chapters"]]
    starts = [s for s, _ in truth]
    out = []
    for i, ch in enumerate(chapters):
        placed = i == 0 or any(abs(ch.start - s) <= TOLERANCE for s in starts)
        span = _overlaps(truth, ch.start, max(ch.end, ch.start + 0.01))
        labelled = bool(span) and span.most_common(1)[0][0] == ch.question
        out.append((ch, not (placed and labelled)))
    return out


def flagged(ch: Chapter) -> bool:
    return not ch.corrected and ch.confidence < LOW_CONFIDENCE


def flag_figures(results: Sequence[Any]) -> dict[str, float | int | None]:
    """Counts, precision and recall of the flag over ``results`` (bench.chapters.Result)."""
    n = errors = flags = both = 0
    for r in results:
        for ch, wrong in chapter_errors(r.item.truth, r.chapters):
            n += 1
            errors += wrong
            flags += flagged(ch)
            both += wrong and flagged(ch)
    return {"chapters": n, "errors": errors, "flagged": flags, "flagged errors": both,
            "precision": both / flags if flags else None, "recall": both / errors if errors else None}


def confusion(results: Sequence[Any]) -> Counter:
    """Seconds with (true label, predicted label), where they differ."""
    out: Counter = Counter()
    for r in results:
        truth = [(float(c["start"]), c["question"]) for c in r.item.truth["chapters"]]
        pred = [(ch.start, ch.question) for ch in r.chapters]
        end = float(r.item.truth["duration"])
        cuts = sorted({0.0, end, *(s for s, _ in truth), *(s for s, _ in pred)})
        cuts = [c for c in cuts if 0.0 <= c <= end]
        for a, b in zip(cuts, cuts[1:]):
            t, p = _label_at(truth, (a + b) / 2), _label_at(pred, (a + b) / 2)
            if t != p:
                out[(t, p)] += b - a
    return out


def report_lines(results: Sequence[Any], top: int = 12) -> list[str]:
    """The flag's figures and the confusion table, as Markdown."""
    f = flag_figures(results)
    fmt = (lambda v: "-" if v is None else f"{v:.2f}")
    lines = [f"Low-confidence flag (confidence < {LOW_CONFIDENCE}): {f['flagged']} of {f['chapters']} chapters "
             f"flagged, {f['errors']} errors, {f['flagged errors']} of them flagged: precision "
             f"{fmt(f['precision'])}, recall {fmt(f['recall'])}.", ""]
    pairs = confusion(results).most_common(top)
    if pairs:
        lines += ["| true | predicted as | seconds |", "|---|---|---|"]
        lines += [f"| {t} | {p} | {s:.0f} |" for (t, p), s in pairs]
        lines.append("")
    return lines


__all__ = ["chapter_errors", "confusion", "flag_figures", "flagged", "report_lines"]
