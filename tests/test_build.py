"""The build over a workspace, with a deterministic fake engine and real ffmpeg.

Covers the CLI contract's outputs and exit codes, caching, hand-edit preservation and
the one-bad-file-doesn't-stop-the-batch rule. The real model runs in test_e2e.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import make_tone, recording_data
from pipeline.errors import UsageError
from pipeline.workspace import Workspace, workspace_lock

pytestmark = pytest.mark.usefixtures("fake_engine", "no_speakers")


@pytest.fixture
def two_recordings(workspace: Path) -> Path:
    make_tone(workspace / "media" / "Jane Doe – Leeds.mp3", 8.0)
    make_tone(workspace / "media" / "bob.mp4", 6.0, video=True)
    (workspace / "media" / "bob.toml").write_text('interviewee = "Bob Smith"\ntitle = "Bob on rules"\n')
    return workspace


def test_build_writes_every_output_in_the_contract(two_recordings: Path, run):
    report = run(two_recordings)
    assert report.exit_code == 0, [r.message for r in report.failed]
    assert sorted(report.published) == ["bob", "jane-doe-leeds"]
    for slug in ("jane-doe-leeds", "bob"):
        out = two_recordings / "transcripts" / slug
        for name in ("transcript.json", "transcript.vtt", "transcript.srt", "transcript.txt", "chapters.json"):
            assert (out / name).is_file(), (slug, name)
        data = recording_data(two_recordings, slug)
        for key in ("language", "engine", "model", "duration", "segments", "chapters"):
            assert key in data
        assert data["engine"] == "fake"
        assert (two_recordings / "site" / "episodes" / slug / "index.html").is_file()
    for name in ("feed.xml", "index.html"):
        assert (two_recordings / "site" / name).is_file()
    assert (two_recordings / "site" / "episodes" / "bob" / "video.mp4").is_file()


def test_unchanged_recordings_are_not_transcribed_twice(two_recordings: Path, fake_engine, run):
    run(two_recordings)
    assert len(fake_engine.calls) == 2
    feed = (two_recordings / "site" / "feed.xml").read_bytes()
    run(two_recordings)
    assert len(fake_engine.calls) == 2
    assert b"<guid" in feed


def test_renamed_file_keeps_its_transcript_and_guid(two_recordings: Path, fake_engine, run):
    run(two_recordings)
    old = recording_data(two_recordings, "bob")
    shutil.move(two_recordings / "media" / "bob.mp4", two_recordings / "media" / "robert.mp4")
    run(two_recordings)
    new = recording_data(two_recordings, "robert")
    assert new["guid"] == old["guid"]
    assert not (two_recordings / "site" / "episodes" / "bob").exists()


def test_hand_edit_is_kept_and_carried_into_every_format(two_recordings: Path, fake_engine, run):
    run(two_recordings)
    path = two_recordings / "transcripts" / "jane-doe-leeds" / "transcript.json"
    data = json.loads(path.read_text())
    data["segments"][1]["text"] = "Which rules did you bend, Jane?"
    data["segments"][1]["speaker"] = "interviewer"
    path.write_text(json.dumps(data))
    run(two_recordings, model="another-model")  # a new model re-transcribes machine-made transcripts...
    assert len(fake_engine.calls) == 3  # ...so bob's is redone, and Jane's edited one is not
    kept = json.loads(path.read_text())
    assert kept["segments"] == data["segments"]
    out = two_recordings / "transcripts" / "jane-doe-leeds"
    for name in ("transcript.vtt", "transcript.srt", "transcript.txt", "transcript.p20.json"):
        assert "Which rules did you bend, Jane?" in (out / name).read_text(), name
    page = (two_recordings / "site" / "episodes" / "jane-doe-leeds" / "index.html").read_text()
    assert "Which rules did you bend, Jane?" in page


def test_changed_audio_under_an_edited_transcript_stops_that_recording(two_recordings: Path, run):
    run(two_recordings)
    path = two_recordings / "transcripts" / "bob" / "transcript.json"
    data = json.loads(path.read_text())
    data["segments"][0]["text"] = "Edited."
    path.write_text(json.dumps(data))
    make_tone(two_recordings / "media" / "bob.mp4", 7.0, video=True)
    report = run(two_recordings)
    assert report.exit_code == 1
    [failed] = report.failed
    assert failed.slug == "bob" and "person's edits" in failed.message and "Fix:" in failed.message
    assert json.loads(path.read_text())["segments"][0]["text"] == "Edited."
    assert "jane-doe-leeds" in report.published


def test_a_bad_file_fails_alone(two_recordings: Path, run):
    (two_recordings / "media" / "broken.mp3").write_text("not audio at all")
    (two_recordings / "media" / "empty.wav").write_bytes(b"")
    report = run(two_recordings)
    assert report.exit_code == 1
    messages = {r.slug: r.message for r in report.failed}
    assert set(messages) == {"broken", "empty"}
    assert "broken.mp3" in messages["broken"] and "Fix:" in messages["broken"]
    assert sorted(report.published) == ["bob", "jane-doe-leeds"]


def test_second_build_is_refused_while_one_runs(two_recordings: Path, run):
    ws = Workspace.open(two_recordings)
    with workspace_lock(ws):
        with pytest.raises(UsageError, match="another learncast command"):
            run(two_recordings)


def test_status_and_review(two_recordings: Path, run, cli):
    run(two_recordings)
    out = cli("status", "--workspace", two_recordings).output
    assert "jane-doe-leeds" in out and "published" in out
    result = cli("review", "bob", "--workspace", two_recordings)
    assert result.exit_code == 0
    data = recording_data(two_recordings, "bob")
    assert data["reviewed"] is True and data["reviewed_at"]
    assert cli("review", "nobody", "--workspace", two_recordings).exit_code == 2


def test_media_folder_is_never_written(two_recordings: Path, run):
    before = {p.name: p.stat().st_mtime_ns for p in (two_recordings / "media").iterdir()}
    run(two_recordings)
    after = {p.name: p.stat().st_mtime_ns for p in (two_recordings / "media").iterdir()}
    assert before == after


def test_adding_a_recording_adds_one_item_and_keeps_every_guid(two_recordings: Path, run):
    import feedparser

    run(two_recordings)
    before = feedparser.parse((two_recordings / "site" / "feed.xml").read_bytes())
    guids = {e.title: e.id for e in before.entries}
    make_tone(two_recordings / "media" / "carol.wav", 9.0)
    run(two_recordings)
    after = feedparser.parse((two_recordings / "site" / "feed.xml").read_bytes())
    assert len(after.entries) == len(before.entries) + 1
    assert {e.title: e.id for e in after.entries if e.title in guids} == guids
