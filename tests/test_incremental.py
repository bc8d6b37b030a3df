"""Incremental builds: each output is redone only when what it is made from changed.

Real ffmpeg, the deterministic fake engine and the lexical scorer (so no embedding model
loads). Work is counted by wrapping the functions that do it, never assumed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Counter, make_tone, recording_data
from pipeline.chapters import default_questions_path
from pipeline.review import mark_reviewed
from pipeline.status import prune, recording_states
from pipeline.workspace import Workspace

pytestmark = [pytest.mark.usefixtures("fake_engine", "no_speakers"),
              pytest.mark.build_options(scorer="lexical")]  # the `run` fixture's defaults here


def transcript(root: Path, slug: str) -> dict:
    return recording_data(root, slug)


def mtimes(folder: Path, skip: str = "pagefind") -> dict[str, int]:
    """Every file under ``folder`` (but the search index, rebuilt each time) with its mtime."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file() and skip not in p.parts}


class Processes:
    """Counts the media processes (ffmpeg, ffprobe) started, whoever starts them."""

    def __init__(self, monkeypatch):
        self.calls = 0
        counter = self

        class CountingPopen(subprocess.Popen):
            def __init__(self, args, *a, **kw):
                first = args[0] if isinstance(args, (list, tuple)) else str(args).split()[0]
                if Path(str(first)).name in ("ffmpeg", "ffprobe"):
                    counter.calls += 1
                super().__init__(args, *a, **kw)

        monkeypatch.setattr(subprocess, "Popen", CountingPopen)


@pytest.fixture
def work(monkeypatch):
    """Counters for every kind of expensive work a build can do."""
    from pipeline import chapters
    from pipeline.publish import media
    from pipeline import formats

    return {
        "ffmpeg_processes": Processes(monkeypatch),
        "encode_audio": Counter(monkeypatch, media, "encode_audio"),
        "encode_video": Counter(monkeypatch, media, "encode_video"),
        "tag_mp3": Counter(monkeypatch, media, "tag_mp3"),
        "chapter": Counter(monkeypatch, chapters, "chapter_transcript"),
        "formats": Counter(monkeypatch, formats, "write_all"),
    }


@pytest.fixture
def three(workspace: Path) -> Path:
    """Three recordings with different audio (so three guids): two MP3s and a video."""
    make_tone(workspace / "media" / "alice.mp3", 6.0)
    make_tone(workspace / "media" / "bob.mp4", 7.0, video=True)
    make_tone(workspace / "media" / "carol.mp3", 8.0)
    (workspace / "media" / "carol.toml").write_text('title = "Carol on trust"\ninterviewee = "Carol"\n')
    return workspace


def use_questions(root: Path, text: str) -> None:
    (root / "questions.toml").write_text(text, encoding="utf-8")
    cfg = root / "learncast.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('questions = ""', 'questions = "questions.toml"'),
                   encoding="utf-8")


# ---------------------------------------------------------------- nothing changed


def test_no_change_rebuild_does_no_work_and_rewrites_nothing(three: Path, fake_engine, work, run):
    first = run(three)
    assert first.exit_code == 0, [r.message for r in first.failed]
    before_site, before_tr = mtimes(three / "site"), mtimes(three / "transcripts")
    assert work["ffmpeg_processes"].calls >= 6 and work["encode_audio"].calls == 3  # the counters count
    for counter in work.values():
        counter.calls = 0
    calls = len(fake_engine.calls)

    again = run(three)
    assert again.exit_code == 0 and sorted(again.published) == ["alice", "bob", "carol"]
    assert len(fake_engine.calls) == calls
    assert {name: c.calls for name, c in work.items()} == dict.fromkeys(work, 0)
    assert mtimes(three / "site") == before_site
    assert mtimes(three / "transcripts") == before_tr


# ---------------------------------------------------------------- the question set


def test_changed_question_set_rechapters_without_retranscribing(three: Path, fake_engine, work, run):
    run(three)
    keys = {slug: transcript(three, slug)["chapters_key"] for slug in ("alice", "bob", "carol")}
    segments = transcript(three, "alice")["segments"]
    calls = len(fake_engine.calls)
    work["chapter"].calls = 0

    text = default_questions_path().read_text(encoding="utf-8")
    edited = text.replace("What rules did you have to break?", "Which rules did you have to break?")
    assert edited != text
    use_questions(three, edited)
    report = run(three)
    assert report.exit_code == 0
    assert len(fake_engine.calls) == calls  # no re-transcription
    assert work["chapter"].calls == 3  # every recording re-chaptered
    for slug, key in keys.items():
        assert transcript(three, slug)["chapters_key"] != key
    assert transcript(three, "alice")["segments"] == segments

    work["chapter"].calls = 0
    run(three)
    assert work["chapter"].calls == 0  # and only once


def test_question_set_comment_edit_changes_nothing(three: Path, work, run):
    run(three)
    use_questions(three, default_questions_path().read_text(encoding="utf-8"))
    run(three)  # the same set from another file: same fingerprint
    work["chapter"].calls = 0
    use_questions(three, "# a comment only a person reads\n" + default_questions_path().read_text(encoding="utf-8"))
    run(three)
    assert work["chapter"].calls == 0


# ---------------------------------------------------------------- a sidecar edit


def test_sidecar_edit_rerenders_only_its_episode_and_the_feed(three: Path, work, fake_engine, run):
    run(three)
    before = mtimes(three / "site")
    feed_before = (three / "site" / "feed.xml").read_text(encoding="utf-8")
    for counter in work.values():
        counter.calls = 0

    (three / "media" / "carol.toml").write_text('title = "Carol on earning trust"\ninterviewee = "Carol"\n')
    report = run(three)
    assert report.exit_code == 0
    after = mtimes(three / "site")
    changed = {name for name in after if after[name] != before.get(name)}
    assert "episodes/carol/index.html" in changed and "feed.xml" in changed
    assert not {n for n in changed if n.startswith(("episodes/alice/", "episodes/bob/"))}
    assert work["encode_audio"].calls == 0 and work["encode_video"].calls == 0
    assert work["tag_mp3"].calls <= 1  # only carol's MP3 tags may be rewritten
    assert work["chapter"].calls == 0 and len(fake_engine.calls) == 3
    feed = (three / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "Carol on earning trust" in feed and "Carol on earning trust" not in feed_before


# ---------------------------------------------------------------- a renamed file


def test_renamed_file_keeps_transcript_edits_and_guid_without_retranscribing(three: Path, fake_engine, run):
    run(three)
    path = three / "transcripts" / "bob" / "transcript.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["segments"][0]["text"] = "Welcome, Bob, and thank you."
    path.write_text(json.dumps(data), encoding="utf-8")
    calls = len(fake_engine.calls)

    shutil.move(three / "media" / "bob.mp4", three / "media" / "Robert Smith.mp4")
    report = run(three)
    assert report.exit_code == 0, [r.message for r in report.failed]
    assert len(fake_engine.calls) == calls
    new = transcript(three, "robert-smith")
    assert new["guid"] == transcript(three, "bob")["guid"]
    assert new["segments"][0]["text"] == "Welcome, Bob, and thank you."
    assert new["source"] == "Robert Smith.mp4"
    page = (three / "site" / "episodes" / "robert-smith" / "index.html").read_text(encoding="utf-8")
    assert "Welcome, Bob, and thank you." in page
    assert not (three / "site" / "episodes" / "bob").exists()
    # The old folder is never lost by a build: only prune --yes removes it.
    assert json.loads(path.read_text(encoding="utf-8")) == data
    assert three / "transcripts" / "bob" in prune(Workspace.open(three), yes=False)


def test_a_copy_with_another_name_fails_instead_of_sharing_a_guid(three: Path, run):
    run(three)
    shutil.copy(three / "media" / "alice.mp3", three / "media" / "alice-copy.mp3")
    report = run(three)
    [failed] = report.failed
    assert failed.slug == "alice-copy"
    assert "same audio as alice.mp3" in failed.message and "Fix:" in failed.message
    assert "alice" in report.published


# ---------------------------------------------------------------- a removed file, and prune


def test_removed_recording_leaves_site_and_feed_but_keeps_its_transcript(three: Path, run):
    run(three)
    (three / "media" / "carol.mp3").unlink()
    report = run(three)
    assert sorted(report.published) == ["alice", "bob"]
    assert not (three / "site" / "episodes" / "carol").exists()
    feed = (three / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "Carol on trust" not in feed and "episodes/carol/" not in feed
    assert (three / "transcripts" / "carol" / "transcript.json").is_file()
    assert "carol" not in {r.slug for r in recording_states(Workspace.open(three))}


def test_prune_lists_without_yes_and_removes_with_yes(three: Path, run):
    run(three)
    ws = Workspace.open(three)
    (three / "media" / "carol.mp3").unlink()
    (three / "media" / "bob.toml").write_text("not = [valid toml")  # bob fails but stays in media/
    listed = prune(ws, yes=False)
    assert three / "transcripts" / "carol" in listed
    assert three / "transcripts" / "bob" not in listed and three / "transcripts" / "alice" not in listed
    assert any(p.parent.name == "audio" for p in listed)  # carol's decoded audio in the cache
    assert all(p.exists() for p in listed)  # nothing removed without --yes

    removed = prune(ws, yes=True)
    assert removed == listed
    assert not any(p.exists() for p in removed)
    assert (three / "transcripts" / "bob" / "transcript.json").is_file()
    assert prune(ws, yes=False) == []
    # What is left still builds without re-decoding alice.
    (three / "media" / "bob.toml").unlink()
    assert run(three).exit_code == 0


def test_prune_without_a_media_folder_refuses(three: Path, run):
    run(three)
    shutil.rmtree(three / "media")
    with pytest.raises(Exception, match="no media/ folder"):
        prune(Workspace.open(three), yes=True)
    assert (three / "transcripts" / "alice").is_dir()


# ---------------------------------------------------------------- a person's edits


def test_edited_speaker_names_are_kept_and_carried(three: Path, fake_engine, run):
    run(three)
    path = three / "transcripts" / "alice" / "transcript.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["speakers"]["interviewee"] = "Alice Obi-Smith"
    path.write_text(json.dumps(data), encoding="utf-8")
    run(three, model="a-new-model")  # would re-transcribe machine-made transcripts
    assert len(fake_engine.calls) == 5  # bob and carol again, not alice
    assert json.loads(path.read_text(encoding="utf-8"))["speakers"]["interviewee"] == "Alice Obi-Smith"
    assert "Alice Obi-Smith" in (three / "site" / "episodes" / "alice" / "index.html").read_text()
    assert "Alice Obi-Smith" in (three / "transcripts" / "alice" / "transcript.vtt").read_text()


def test_hand_corrected_chapters_survive_a_question_set_change(three: Path, fake_engine, work, run):
    run(three)
    path = three / "transcripts" / "carol" / "transcript.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["chapters"] = transcript(three, "carol")["chapters"]  # a person copies the chapters in, and edits
    data["chapters"][0]["title"] = "Hello from Carol"
    path.write_text(json.dumps(data), encoding="utf-8")
    work["chapter"].calls = 0

    text = default_questions_path().read_text(encoding="utf-8")
    use_questions(three, text.replace("What rules did you have to break?", "Which rules did you break?"))
    report = run(three)
    assert report.exit_code == 0
    assert work["chapter"].calls == 2  # alice and bob, not carol
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert kept["chapters"] == data["chapters"]
    chapters = json.loads((three / "transcripts" / "carol" / "chapters.json").read_text())
    assert chapters["chapters"][0]["title"] == "Hello from Carol"
    assert "Hello from Carol" in (three / "site" / "episodes" / "carol" / "index.html").read_text()
    run(three, model="a-new-model")  # nor is a transcript with corrected chapters re-transcribed
    assert json.loads(path.read_text(encoding="utf-8"))["chapters"] == data["chapters"]


def test_text_edit_rechapters_from_the_edited_text(three: Path, work, run):
    run(three)
    path = three / "transcripts" / "alice" / "transcript.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["segments"][1]["text"] = "What relationships were important to build, and how did you build trust?"
    path.write_text(json.dumps(data), encoding="utf-8")
    work["chapter"].calls = 0
    run(three)
    assert work["chapter"].calls == 1
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert kept["segments"] == data["segments"]  # the edit stays
    assert kept["checksum"] == data["checksum"]  # and stays marked as the person's


# ---------------------------------------------------------------- status


def test_status_walks_through_every_state(three: Path, run):
    ws = Workspace.open(three)
    (three / "media" / "broken.mp3").write_text("not audio")
    states = {r.slug: r.state for r in recording_states(ws)}
    assert states == {"alice": "new", "bob": "new", "carol": "new", "broken": "new"}

    run(three, ("ingest", "transcribe"))
    rows = {r.slug: r for r in recording_states(ws)}
    assert rows["alice"].state == "transcribed"
    assert rows["broken"].state == "failed" and "broken.mp3" in rows["broken"].detail
    assert "Fix:" in rows["broken"].detail

    run(three, ("chapter",))
    assert {r.slug: r.state for r in recording_states(ws)}["alice"] == "chaptered"
    mark_reviewed(ws.transcript_dir("alice"))
    assert {r.slug: r.state for r in recording_states(ws)}["alice"] == "reviewed"

    (three / "media" / "bob.toml").write_text('consent = "withheld"\n')
    run(three)
    rows = {r.slug: r for r in recording_states(ws)}
    assert rows["alice"].state == "published" and "reviewed" in rows["alice"].detail
    assert rows["carol"].state == "published"
    assert rows["bob"].state == "chaptered" and "withheld" in rows["bob"].detail

    run(three, ("chapter",))  # a build without publishing leaves "published" as it was
    assert {r.slug: r.state for r in recording_states(ws)}["carol"] == "published"

    make_tone(three / "media" / "broken.mp3", 5.0)  # fixed since the last build
    row = {r.slug: r for r in recording_states(ws)}["broken"]
    assert row.state == "new" and "changed since the last build" in row.detail


def test_status_on_the_command_line(three: Path, run, cli):
    run(three)
    out = cli("status", "-w", str(three))
    assert out.exit_code == 0
    lines = {line.split()[0]: line.split()[1] for line in out.output.splitlines()}
    assert lines == {"alice": "published", "bob": "published", "carol": "published"}
