"""bench/keywords.py: the matching that scores the theme suggesters, and the chapters it
reads from the evaluation scripts (no model is run here)."""

from __future__ import annotations

import tomllib

from bench.keywords import TRUTH, matches, one_to_one, score, script_chapters


def test_lenient_and_strict_matching_on_stems():
    assert matches("landlords", "private landlords") and matches("Rent debts", "rent debt")
    assert not matches("tests", "small tests of change")  # a third of the words: no
    assert not matches("landlords", "private landlords", strict=True)
    assert matches("rent debts", "Rent debt", strict=True)
    assert not matches("the", "the")  # no content words, no match


def test_each_hand_keyword_is_matched_once():
    assert one_to_one(["twenty page application", "application"], ["application"], strict=False) == 1
    result = score([(["landlords", "cafe"], ["private landlords", "rent"])], strict=False)
    assert result == {"precision": 0.5, "recall": 0.5, "f1": 0.5}


def test_the_hand_keywords_name_chapters_of_the_scripts():
    truth = tomllib.loads(TRUTH.read_text(encoding="utf-8"))
    assert set(truth) == {"eval-01-housing", "eval-02-schools"}
    for name, chapters in truth.items():
        texts = script_chapters(name)
        assert set(chapters) <= set(texts), name
        assert "intro" not in texts and "closing" not in texts
    assert "breakfast meeting" in script_chapters("eval-01-housing")["relationships"]
    assert "Could you say more" not in script_chapters("eval-01-housing")["rules"]  # the follow-up question is not an answer
    assert "bed and breakfast" in script_chapters("eval-01-housing")["rules"]  # its answer is
