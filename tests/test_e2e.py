"""End to end with the real parts: the embedded Whisper model and real ffmpeg, on the
sample interview, through the real `learncast` command line.

One module-scoped build is shared by the checks below (it takes about a minute on 2 cores).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, recording_data

pytestmark = pytest.mark.slow

TRUTH = SAMPLE.with_suffix(".truth.json")


def learncast(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          check=check, cwd=ROOT)


@pytest.fixture(scope="module")
def built(sample_build: Path, tmp_path_factory) -> Path:
    """A private copy of the session's sample build (these tests edit it)."""
    ws = tmp_path_factory.mktemp("e2e") / "ws"
    shutil.copytree(sample_build, ws)
    return ws


def test_every_output_is_written(built: Path):
    out = built / "transcripts" / "sample-interview"
    for name in ("transcript.json", "transcript.vtt", "transcript.srt", "transcript.txt", "chapters.json"):
        assert (out / name).is_file(), name
    for name in ("feed.xml", "index.html", "episodes/sample-interview/index.html"):
        assert (built / "site" / name).is_file(), name


def test_transcript_json_contract(built: Path):
    data = recording_data(built, "sample-interview")
    for key in ("language", "engine", "model", "duration", "segments", "chapters"):
        assert key in data
    assert data["engine"] == "faster-whisper"
    assert data["language"] == "en"
    assert 120 <= data["duration"] <= 240
    speakers = {s["speaker"] for s in data["segments"]}
    assert speakers == {"interviewer", "interviewee"}
    last = 0.0
    for seg in data["segments"]:
        assert {"start", "end", "text", "speaker", "words"} <= set(seg)
        assert last <= seg["start"] <= seg["end"] <= data["duration"]
        for w in seg["words"]:
            assert {"start", "end", "word", "probability"} <= set(w)
            assert seg["start"] - 0.01 <= w["start"] <= w["end"] <= seg["end"] + 0.01
        last = seg["start"]
    for ch in data["chapters"]:
        assert {"start", "end", "question", "title"} <= set(ch)


def test_word_error_rate_against_the_script(built: Path):
    wer = _sample_wer(built / "transcripts" / "sample-interview" / "transcript.json")
    print(f"sample WER: {wer:.3f}")
    assert wer <= 0.30


def test_chapters_follow_the_questions_asked(built: Path):
    chapters = json.loads((built / "transcripts" / "sample-interview" / "chapters.json").read_text())
    assert chapters["version"].startswith("1.2")
    truth = json.loads(TRUTH.read_text())
    found = [c["title"] for c in chapters["chapters"]]
    assert len(found) >= 3
    data = recording_data(built, "sample-interview")
    asked = {c["question"] for c in truth["chapters"]}
    got = {c["question"] for c in data["chapters"]}
    assert data["chapters"][0]["question"] == "intro"
    assert len(asked & got) >= len(asked) // 2, (asked, got)


def test_feed_parses_and_names_the_episode(built: Path):
    feedparser = pytest.importorskip("feedparser")
    feed = feedparser.parse((built / "site" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    enclosure = entry.enclosures[0]
    mp3 = built / "site" / "episodes" / "sample-interview" / "audio.mp3"
    assert int(enclosure["length"]) == mp3.stat().st_size


def test_episode_page_shows_the_transcript(built: Path):
    import html

    page = html.unescape((built / "site" / "episodes" / "sample-interview" / "index.html").read_text())
    data = json.loads((built / "transcripts" / "sample-interview" / "transcript.json").read_text())
    first_words = data["segments"][1]["text"].split()[:4]
    assert " ".join(first_words) in page


def test_a_hand_edit_is_kept_and_carried_everywhere(built: Path):
    path = built / "transcripts" / "sample-interview" / "transcript.json"
    data = json.loads(path.read_text())
    data["segments"][2]["text"] = "Corrected by Priya on review."
    path.write_text(json.dumps(data, indent=2))
    edited = path.read_text()
    result = learncast("build", "--workspace", str(built))
    assert result.returncode == 0, result.stderr
    after = json.loads(path.read_text())
    assert after["segments"] == data["segments"]  # the person's words are untouched
    assert edited.count("Corrected by Priya") == path.read_text().count("Corrected by Priya")
    out = built / "transcripts" / "sample-interview"
    for name in ("transcript.vtt", "transcript.srt", "transcript.txt"):
        assert "Corrected by Priya" in (out / name).read_text(), name
    assert "Corrected by Priya" in (built / "site" / "episodes" / "sample-interview" / "index.html").read_text()


def test_a_bad_recording_fails_alone_with_exit_code_1(built: Path, tmp_path: Path):
    ws = tmp_path / "ws"
    shutil.copytree(built, ws)
    (ws / "media" / "broken.mp3").write_text("this is not audio")
    result = learncast("build", "--workspace", str(ws))
    assert result.returncode == 1
    errors = [ln for ln in result.stderr.splitlines() if "broken.mp3" in ln]
    assert errors and "Fix:" in errors[0]
    assert (ws / "site" / "episodes" / "sample-interview" / "index.html").is_file()


def _sample_wer(transcript: Path) -> float:
    jiwer = pytest.importorskip("jiwer")
    from whisper_normalizer.english import EnglishTextNormalizer

    truth = json.loads(TRUTH.read_text())
    reference = " ".join(t["text"] for t in truth["turns"])
    hypothesis = " ".join(s["text"] for s in json.loads(transcript.read_text())["segments"])
    norm = EnglishTextNormalizer()
    return jiwer.wer(norm(reference), norm(hypothesis))


def test_openai_whisper_engine_transcribes_the_sample(sample_build: Path, tmp_path: Path):
    """The other engine, through the command line, offline: the embedded model converted to
    a checkpoint on first use, every format written, speakers labelled, a WER as good."""
    pytest.importorskip("torch", reason="torch is not installed (pip install torch==2.13.0)")
    pytest.importorskip("whisper", reason="openai-whisper is not installed (pip install 'learncast[openai]')")
    ws = tmp_path / "ws"
    shutil.copytree(sample_build, ws)
    env = {**os.environ, "LEARNCAST_CACHE": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "pipeline", "transcribe", "--engine", "openai-whisper",
                             "--workspace", str(ws)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    out = ws / "transcripts" / "sample-interview"
    data = json.loads((out / "transcript.json").read_text())
    assert data["engine"] == "openai-whisper" and data["model"] == "embedded:tiny.en"
    assert {s["speaker"] for s in data["segments"]} == {"interviewer", "interviewee"}
    for name in ("transcript.vtt", "transcript.srt", "transcript.txt", "transcript.p20.json"):
        assert (out / name).stat().st_size > 0, name
    assert list((tmp_path / "cache").rglob("*.pt")), "the embedded model was not converted"
    wer = _sample_wer(out / "transcript.json")
    print(f"sample WER with openai-whisper: {wer:.3f}")
    assert wer <= 0.30
