"""The shipped sample interview meets its spec, its ground truth is consistent, and the
generator in scripts/ (espeak-ng) lays out and labels turns the way the truth says.

The committed-file checks need only ffprobe/PyAV; the generator checks need espeak-ng
and are skipped without it (the pipeline itself never needs espeak-ng).
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SAMPLE
from pipeline.config import load_sidecar
from pipeline.errors import UsageError
from pipeline.ffmpeg import probe

TRUTH = SAMPLE.with_suffix(".truth.json")
SIDECAR = SAMPLE.with_suffix(".toml")
SCRIPTS = ROOT / "scripts"


def _load(name: str):
    """Import a module from scripts/ (a folder of tools, not a package)."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    return importlib.import_module(name)


interviews = _load("interviews")
QUESTIONS = interviews.QUESTIONS
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(TRUTH.read_text(encoding="utf-8"))


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


# ---------------------------------------------------------------- the committed media

def test_sample_mp4_is_small_h264_aac_of_two_to_four_minutes():
    info = probe(SAMPLE)
    assert info.video_codec == "h264"
    assert info.audio_codec == "aac"
    assert info.channels == 1
    assert 120 <= info.duration <= 240
    assert SAMPLE.stat().st_size <= 4 * 1024 * 1024


def test_truth_duration_is_the_files_duration(truth: dict):
    assert truth["duration"] == pytest.approx(probe(SAMPLE).duration, abs=0.05)
    assert truth["turns"][-1]["end"] < truth["duration"]


def test_sidecar_is_valid_and_public():
    meta = load_sidecar(SIDECAR)
    assert meta.consent == "public"
    assert meta.title and meta.interviewee and meta.role and meta.interviewer and meta.description
    assert meta.date is not None
    assert meta.interviewee in " ".join(t["text"] for t in json.loads(TRUTH.read_text())["turns"])


# ---------------------------------------------------------------- chapters

def test_chapters_start_with_intro_and_end_with_closing(truth: dict):
    chapters = truth["chapters"]
    assert chapters[0] == {"start": 0.0, "question": "intro"}
    assert chapters[-1]["question"] == "closing"
    starts = [c["start"] for c in chapters]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(0 <= s < truth["duration"] for s in starts)


def test_questions_are_shuffled_with_some_skipped(truth: dict):
    asked = [c["question"] for c in truth["chapters"][1:-1]]
    assert set(asked) <= set(QUESTIONS)
    assert len(set(asked)) == len(asked) >= 7
    canonical = list(QUESTIONS)
    assert asked != sorted(asked, key=canonical.index), "questions are in canonical order"
    assert set(QUESTIONS) - set(asked), "no question was skipped"


def test_each_chapter_starts_when_the_interviewer_asks(truth: dict):
    by_start = {t["start"]: t for t in truth["turns"]}
    for chapter in truth["chapters"][1:]:
        turn = by_start[chapter["start"]]
        assert turn["speaker"] == "interviewer"
        if chapter["question"] != "closing":
            assert turn["question"] == chapter["question"]


def test_one_followup_that_is_not_a_chapter(truth: dict):
    followups = [t for t in truth["turns"] if t["question"] == "followup"]
    assert len(followups) == 1
    assert followups[0]["speaker"] == "interviewer"
    assert followups[0]["start"] not in {c["start"] for c in truth["chapters"]}


def test_questions_are_paraphrased_not_canonical(truth: dict):
    for turn in truth["turns"]:
        if turn["question"] in QUESTIONS:
            assert _words(QUESTIONS[turn["question"]]) not in _words(turn["text"])


# ---------------------------------------------------------------- turns

def test_turns_alternate_in_order_with_short_pauses(truth: dict):
    turns = truth["turns"]
    assert {t["speaker"] for t in turns} == {"interviewer", "interviewee"}
    assert turns[0]["speaker"] == "interviewer"
    assert 1.0 <= turns[0]["start"] <= 2.0  # room tone before the first word
    for a, b in zip(turns, turns[1:]):
        assert a["speaker"] != b["speaker"]
        assert 0.55 <= b["start"] - a["end"] <= 1.25
    for t in turns:
        assert t["start"] < t["end"]
        assert t["text"].strip()
        if t["speaker"] == "interviewee":
            assert t["question"] is None
            assert 2 <= len(re.findall(r"[.!?](\s|$)", t["text"])) <= 4


def test_committed_truth_matches_the_generator_script(truth: dict):
    """The committed files were made from the script as it stands (else regenerate them)."""
    sample = _load("make_sample_interview")
    got = [(t["speaker"], t["text"]) for t in truth["turns"]]
    assert got == [(t.speaker, t.text) for t in sample.SCRIPT]
    closing = next(i for i, t in enumerate(sample.SCRIPT) if t.question == "closing")
    assert truth["turns"][closing]["start"] == truth["chapters"][-1]["start"]


# ---------------------------------------------------------------- the generator

def test_truth_from_timeline_restatement_and_followup_do_not_start_chapters():
    T, Timed = interviews.Turn, interviews.Timed
    timeline = [
        Timed(T("interviewer", "Welcome."), 1.0, 2.0),
        Timed(T("interviewer", "Which rules got in your way?", question="rules"), 3.0, 4.0),
        Timed(T("interviewer", "I mean, which rules did you break?", question="rules"), 5.0, 6.0),
        Timed(T("interviewer", "Such as?", question="followup"), 7.0, 8.0),
        Timed(T("interviewer", "Thanks for coming.", question="closing"), 9.0, 10.0),
    ]
    truth = interviews.truth_from_timeline(timeline, 11.0)
    assert truth["chapters"] == [{"start": 0.0, "question": "intro"}, {"start": 3.0, "question": "rules"},
                                 {"start": 9.0, "question": "closing"}]
    assert [t["question"] for t in truth["turns"]] == [None, "rules", "rules", "followup", None]


def test_check_script_reports_every_problem():
    voices = {"interviewer": interviews.Voice("en-us")}
    bad = [interviews.Turn("interviewer", "Hi", question="nope"),
           interviews.Turn("interviewee", "", question="rules")]
    with pytest.raises(UsageError) as err:
        interviews.check_script(bad, voices)
    message = str(err.value)
    for part in ("unknown question 'nope'", "no voice", "empty text", "only interviewer"):
        assert part in message


@needs_espeak
def test_generator_times_match_the_audio_it_writes(tmp_path: Path):
    T = interviews.Turn
    script = [T("interviewer", "Welcome to the show."),
              T("interviewee", "Thank you. I run a housing team."),
              T("interviewer", "What got in your way?", question="bureaucracy", pause_before=2.0)]
    voices = {"interviewer": interviews.Voice("en-us+m1", pitch=35),
              "interviewee": interviews.Voice("en-gb+f3", pitch=60)}
    out = tmp_path / "mini.wav"
    pauses = interviews.Pauses(lead_in=0.5, between=(0.7,), tail=0.4)
    truth = interviews.make_interview(script, out, voices=voices, pauses=pauses, room_tone_db=None)
    assert json.loads((tmp_path / "mini.truth.json").read_text()) == truth
    with wave.open(str(out)) as w:
        rate = w.getframerate()
        samples = np.abs(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int32))
    assert truth["duration"] == pytest.approx(samples.size / rate, abs=0.01)
    turns = truth["turns"]
    assert turns[0]["start"] == pytest.approx(0.5, abs=0.002)
    assert turns[1]["start"] - turns[0]["end"] == pytest.approx(0.7, abs=0.002)
    assert turns[2]["start"] - turns[1]["end"] == pytest.approx(2.0, abs=0.002)
    assert truth["duration"] - turns[2]["end"] == pytest.approx(0.4, abs=0.01)
    assert truth["chapters"] == [{"start": 0.0, "question": "intro"},
                                 {"start": turns[2]["start"], "question": "bureaucracy"}]
    # Digital silence in the gaps, sound inside each turn: the truth is where the voice is.
    for t in turns:
        a, b = round(t["start"] * rate), round(t["end"] * rate)
        assert samples[a:a + 50].max() > 200 and samples[b - 50:b].max() > 200
        assert samples[a - int(0.3 * rate):a - 1].max() == 0
