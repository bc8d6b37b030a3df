"""bench/studio.py on a 5-minute recording: the workspace it makes and the figures it gives.

This checks the harness, not the speed: the targets are measured by the benchmark itself
(``python -m bench.studio``, RESULTS.md), never by a timed test on a shared machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import studio


def test_the_workspace_is_a_transcribed_recording_the_studio_can_open(tmp_path: Path) -> None:
    from pipeline.ffmpeg import probe
    from pipeline.transcribe import FORMAT_VERSION, is_hand_edited, load_transcript_file

    made = studio.make_workspace(tmp_path / "ws", 5, audio_folder=tmp_path / "audio")
    data, transcript = load_transcript_file(tmp_path / "ws" / "transcripts" / studio.SLUG / "transcript.json")
    assert data["format"] == FORMAT_VERSION and not is_hand_edited(data)  # as transcription writes it
    assert made["turns"] == len(transcript.segments) > 20 and made["words"] > 500
    assert transcript.segments[-1].end <= 300 and transcript.segments[-1].start > 240
    for seg in transcript.segments:  # every word inside its turn, in order
        assert seg.words and seg.words[0].start >= seg.start - 1e-6 and seg.words[-1].end <= seg.end + 1e-6
        assert all(a.end <= b.start for a, b in zip(seg.words, seg.words[1:]))
    uncertain = sum(w.probability < 0.5 for s in transcript.segments for w in s.words) / made["words"]
    assert 0.01 < uncertain < 0.1
    assert abs(probe(tmp_path / "ws" / "media" / f"{studio.SLUG}.mp3").duration - 300) < 1


@pytest.mark.browser
@pytest.mark.skipif(bool(studio.chromium_missing()), reason=studio.chromium_missing() or "")
def test_a_short_run_gives_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "studio.json"
    assert studio.main(["--minutes", "5", "--runs", "1", "--saves", "4", "--page-saves", "2", "--keys", "20",
                        "--audio-folder", str(tmp_path / "audio"), "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    run = result["runs"][0]
    opened = run["open"]
    assert 0 < opened["html_ms"] <= opened["ready_ms"] <= opened["painted_ms"]
    assert opened["ready_ms"] <= opened["complete_ms"] and 0 < opened["metadata_ms"] <= opened["playing_ms"]
    assert min(40, result["workspace"]["turns"]) <= opened["turns"] <= result["workspace"]["turns"] and abs(opened["media_duration_s"] - 300) < 1
    assert opened["traced"]["page_cpu_ms"] > 0 and opened["traced"]["server_cpu_ms"] >= 0
    saves = run["python_saves"]
    assert saves["n"] == 4 and 0 < saves["p50_ms"] <= saves["p95_ms"] <= saves["max_ms"]
    assert saves["server_cpu_ms_per_save"] > 0 and saves["request_bytes"] > 10_000
    assert run["page_saves"]["acknowledged"]["n"] == 2
    assert run["page_saves"]["fetch"]["p50_ms"] <= run["page_saves"]["acknowledged"]["p50_ms"]
    typing = run["typing"]
    assert typing["keys"] == 20 and typing["text_saved"] is True
    assert typing["burst"]["longest_frame_gap_ms"] > 0 and typing["traced"]["tasks"] > 20
    assert typing["traced"]["longest_wall_ms"] >= typing["traced"]["its_cpu_ms"] >= 0
    assert set(result["figures"]) >= set(studio.GOALS) and set(result["met"]) == set(studio.GOALS)
    assert all(isinstance(v, bool) for v in result["met"].values())
    table = studio.markdown(result)
    assert "| opens and is playable" in table and result["machine"]["cpu"] in table
