"""bench.chapter_errors: the low-confidence flag's precision and recall, and the confusion table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from bench.chapter_errors import chapter_errors, confusion, flag_figures, report_lines
from pipeline.models import Chapter

TRUTH = {"duration": 100.0, "chapters": [{"start": 0.0, "question": "intro"}, {"start": 20.0, "question": "rules"},
                                         {"start": 60.0, "question": "setbacks"}, {"start": 90.0, "question": "closing"}]}


@dataclass
class Item:
    truth: dict[str, Any]


@dataclass
class Result:
    item: Item
    chapters: tuple[Chapter, ...]


CHAPTERS = (Chapter(0.0, 21.0, "intro", "i", 1.0),         # right
            Chapter(21.0, 40.0, "governance", "g", 0.3),   # placed, wrong label, flagged
            Chapter(40.0, 61.0, "rules", "r", 0.9),        # misplaced (no true start near 40), not flagged
            Chapter(61.0, 90.0, "setbacks", "s", 0.2),     # right but flagged
            Chapter(90.0, 100.0, "closing", "c", 1.0))     # right


def test_each_chapter_is_an_error_when_misplaced_or_mislabelled():
    assert [wrong for _, wrong in chapter_errors(TRUTH, CHAPTERS)] == [False, True, True, False, False]


def test_the_flags_precision_and_recall():
    f = flag_figures([Result(Item(TRUTH), CHAPTERS)])
    assert (f["chapters"], f["errors"], f["flagged"], f["flagged errors"]) == (5, 2, 2, 1)
    assert f["precision"] == pytest.approx(0.5) and f["recall"] == pytest.approx(0.5)


def test_confusion_counts_the_seconds_each_label_is_mistaken_for_another():
    c = confusion([Result(Item(TRUTH), CHAPTERS)])
    assert c[("rules", "intro")] == pytest.approx(1.0)
    assert c[("rules", "governance")] == pytest.approx(19.0)
    assert c[("setbacks", "rules")] == pytest.approx(1.0)
    assert ("intro", "intro") not in c
    text = "\n".join(report_lines([Result(Item(TRUTH), CHAPTERS)]))
    assert "| rules | governance | 19 |" in text and "precision 0.50, recall 0.50" in text
