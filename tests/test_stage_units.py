"""The stage functions on their own, with small files made here (no build, no model, no ffmpeg):
transcription's write rule, the chapter stage, review, consent, redaction, the publish
stage's history and its decisions, the page views and the status rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import scripted_segments
from pipeline import consent, redact, review
from pipeline.chapters import load_questions
from pipeline.chapters.stage import ChapterJob
from pipeline.chapters.stage import chapter_recording, chapters_path, read_state
from pipeline.errors import ConfigError, InputError
from pipeline.fsutil import file_stamp
from pipeline.models import Audio, Chapter, Recording, RecordingMeta, Transcript
from pipeline.pages.views import provenance_rows
from pipeline.publish.episodes import PublishContext, provenance, publishable
from pipeline.publish.history import History, episode_guid
from pipeline.stages import RecordingResult
from pipeline.status import recording_states
from pipeline.transcribe import (FORMAT_VERSION, TRANSCRIPT_NAME, Settings, TranscriptionJob, content_checksum,
                                 is_hand_edited, replace_transcript_file, transcribe_recording,
                                 transcript_to_file_data)
from pipeline.transcribe.types import RawResult
from pipeline.workspace import Workspace

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)


def transcript(duration: float = 60.0) -> Transcript:
    return Transcript(language="en", engine="fake", model="fake-model", duration=duration,
                      segments=scripted_segments(duration), speakers={"interviewer": "Sam", "interviewee": "Ana"},
                      audio_sha256="a" * 64)


def write_transcript(folder: Path, t: Transcript | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = transcript_to_file_data(t or transcript(), asr_key="key-1")
    data["checksum"] = content_checksum(data)
    path = folder / TRANSCRIPT_NAME
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def audio_for(root: Path, name: str = "ana.mp3", meta: RecordingMeta | None = None) -> Audio:
    rec = Recording(path=root / "media" / name, slug=Path(name).stem, meta=meta or RecordingMeta())
    return Audio(recording=rec, path=root / "x.wav", sha256="a" * 64, duration=60.0, channels=1,
                 sample_rate=44100, has_video=False, source_sha256="b" * 64)


# ---------------------------------------------------------------- transcription


class _Engine:
    name, model_id = "fake", "fake-model"

    def __init__(self, on_run=None):
        self.runs = 0
        self.on_run = on_run

    def transcribe(self, wav, duration, options, progress=None):
        self.runs += 1
        if self.on_run:
            self.on_run()
        return RawResult(language="en", segments=scripted_segments(duration))


def _job(folder: Path, engine: _Engine) -> TranscriptionJob:
    import contextlib

    return TranscriptionJob(folder=folder, config=Workspace.open(folder.parent.parent).config, settings=Settings(engine="fake"),
               engine=lambda: engine, lock=contextlib.nullcontext, now=NOW)


def test_transcription_writes_format_2_with_its_own_keys_only(workspace: Path, no_speakers):
    folder = workspace / "transcripts" / "ana"
    engine = _Engine()
    data, t = transcribe_recording(_job(folder, engine), audio_for(workspace))
    on_disk = json.loads((folder / TRANSCRIPT_NAME).read_text(encoding="utf-8"))
    assert on_disk == data and on_disk["format"] == FORMAT_VERSION == 2
    assert on_disk["transcribed_at"] == "2026-12-01T12:00:00+00:00" and on_disk["source"] == "ana.mp3"
    assert not {"chapters", "reviewed", "guid", "first_published", "provenance"} & set(on_disk)
    assert not is_hand_edited(on_disk) and engine.runs == 1
    transcribe_recording(_job(folder, engine), audio_for(workspace))  # current: not again
    assert engine.runs == 1


def test_a_save_made_during_transcription_is_kept(workspace: Path, no_speakers):
    folder = workspace / "transcripts" / "ana"
    path = write_transcript(folder)
    mine = json.loads(path.read_text(encoding="utf-8"))
    mine["asr_key"] = "made-with-another-model"  # so the stage transcribes again

    def person_saves() -> None:
        edited = {**mine, "segments": [{**mine["segments"][0], "text": "Fixed by Ana."}, *mine["segments"][1:]]}
        path.write_text(json.dumps(edited), encoding="utf-8")

    path.write_text(json.dumps(mine), encoding="utf-8")
    _, t = transcribe_recording(_job(folder, _Engine(on_run=person_saves)), audio_for(workspace))
    assert t.segments[0].text == "Fixed by Ana."
    assert json.loads(path.read_text(encoding="utf-8"))["segments"][0]["text"] == "Fixed by Ana."


def test_replace_refuses_when_the_file_changed_since_it_was_read(tmp_path: Path):
    path = write_transcript(tmp_path / "t")
    stamp = file_stamp(path)
    path.write_text(path.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert replace_transcript_file(path, {"segments": []}, expected=stamp, machine=True) is False
    assert json.loads(path.read_text(encoding="utf-8"))["segments"]
    assert replace_transcript_file(path, {"segments": []}, expected=file_stamp(path), machine=True) is True


# ---------------------------------------------------------------- chapters


def _chapter_job(workspace: Path, calls: list) -> ChapterJob:
    from pipeline.chapters import make_scorer

    questions = load_questions(None)

    def scorer():
        calls.append(1)
        return make_scorer("lexical", questions)

    return ChapterJob(folder=workspace / "transcripts" / "ana", state=chapters_path(workspace / ".learncast", "ana"),
                      questions=questions, scorer=scorer, identity="lexical")


def test_the_chapter_stage_writes_its_own_file_and_reuses_it(workspace: Path):
    path = write_transcript(workspace / "transcripts" / "ana")
    data = json.loads(path.read_text(encoding="utf-8"))
    calls: list = []
    job = _chapter_job(workspace, calls)
    first = chapter_recording(job, data, transcript())
    assert first.chapters and first.chapters[0].question == "intro" and calls == [1]
    state = read_state(job.state)
    assert state["asr_key"] == "key-1" and [Chapter.from_dict(c) for c in state["chapters"]] == list(first.chapters)
    assert path.read_text(encoding="utf-8") == json.dumps(data, indent=2)  # transcript.json untouched
    assert chapter_recording(job, data, transcript()).chapters == first.chapters and calls == [1]
    (job.folder / "chapters.edit.toml").write_text('[[chapter]]\nat = 0\ntitle = "Hello"\n', encoding="utf-8")
    corrected = chapter_recording(job, data, transcript())
    assert corrected.chapters[0].title == "Hello" and corrected.chapters[0].corrected and calls == [1]
    assert chapter_recording(job, {**data, "asr_key": "new"}, transcript()) and calls == [1, 1]  # re-transcribed


def test_chapters_a_person_wrote_into_transcript_json_win(workspace: Path):
    path = write_transcript(workspace / "transcripts" / "ana")
    data = json.loads(path.read_text(encoding="utf-8"))
    mine = [Chapter(0, 60, "intro", "All of it").to_dict()]
    calls: list = []
    t = Transcript.from_dict({**data, "chapters": mine})
    out = chapter_recording(_chapter_job(workspace, calls), {**data, "chapters": mine}, t)
    assert [c.title for c in out.chapters] == ["All of it"] and calls == []


# ---------------------------------------------------------------- review, consent, redaction


def test_review_records_who_and_when_and_can_be_undone(tmp_path: Path):
    folder = tmp_path / "ana"
    with pytest.raises(InputError):
        review.mark_reviewed(folder)  # nothing to review yet
    write_transcript(folder)
    review.mark_reviewed(folder, by='Priya "P" Shah', now=NOW)
    got = review.read_review(folder)
    assert (got.reviewed, got.reviewed_by, got.reviewed_at) == (True, 'Priya "P" Shah', "2026-12-01T12:00:00+00:00")
    assert got.checksum == content_checksum(json.loads((folder / TRANSCRIPT_NAME).read_text(encoding="utf-8")))
    review.mark_reviewed(folder, reviewed=False)
    assert review.read_review(folder).reviewed is False
    (folder / review.REVIEW_NAME).write_text("reviewed = 'yes'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        review.read_review(folder)
    assert "review.toml" in err.value.one_line() and "\n" not in err.value.one_line()


def test_consent_from_the_cli_wins_over_the_sidecar_and_blocks_publishing(tmp_path: Path):
    rec = audio_for(tmp_path, meta=RecordingMeta(consent="public")).recording
    folder = tmp_path / "ana"
    folder.mkdir()
    assert consent.decision(folder, rec).blocks(NOW.date(), require_consent=True) is None
    consent.record(folder, "public", dt.date(2027, 1, 15))
    d = consent.decision(folder, rec)
    assert (d.consent, d.source) == ("public", "cli")
    assert d.blocks(NOW.date(), False) == "embargoed until 2027-01-15"
    assert d.blocks(dt.date(2027, 1, 16), False) is None
    consent.record(folder, "withheld", None)
    assert consent.decision(folder, rec).blocks(NOW.date(), False) == "consent is withheld"


def test_redaction_cuts_a_phrase_and_a_range_and_counts_them():
    t = transcript(60.0)
    entries = [redact.Redaction(text="signed form"), redact.Redaction(start=0.0, end=2.0)]
    applied = redact.apply(t, entries)
    text = " ".join(s.text for s in applied.transcript.segments)
    assert "signed form" not in text and redact.MARKER in text and applied.count == 2
    assert applied.spans and applied.spans[0][0] == 0.0
    assert applied.text("The signed form rule") == f"The {redact.MARKER} rule"


# ---------------------------------------------------------------- publishing


def test_history_keeps_guids_and_first_dates_and_follows_a_rename(tmp_path: Path):
    history = History.load(tmp_path)
    entry = history.entry("ana", "a" * 64, live={"ana"})
    assert entry["guid"] == episode_guid("a" * 64)
    assert history.first_published(entry, NOW) == NOW
    history.save()
    again = History.load(tmp_path)
    later = NOW + dt.timedelta(days=3)
    assert again.first_published(again.entry("ana", "a" * 64, {"ana"}), later) == NOW
    renamed = again.entry("ana-smith", "a" * 64, live={"ana-smith"})  # "ana" is gone from media/
    assert renamed["guid"] == entry["guid"] and renamed["first_published"] == entry["first_published"]
    (tmp_path / "published.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as err:
        History.load(tmp_path)
    assert "published.json" in err.value.one_line() and "backup" in err.value.one_line()


def test_publishable_follows_consent_embargo_and_review(workspace: Path):
    ws = Workspace.open(workspace)
    audio = audio_for(workspace)
    result = RecordingResult(slug="ana", path=audio.recording.path, audio=audio, transcript=transcript())
    ctx = PublishContext(ws=ws, questions=None, now=NOW)
    assert publishable(ctx, result) == (True, "")
    strict = PublishContext(ws=ws, questions=None, now=NOW, require_reviewed=True)
    assert publishable(strict, result) == (False, "transcript not reviewed (run `learncast review SLUG`)")
    (workspace / "transcripts" / "ana").mkdir(parents=True)
    consent.record(workspace / "transcripts" / "ana", "withheld", None)
    assert publishable(ctx, result) == (False, "consent is withheld")


def test_provenance_says_how_the_transcript_was_made_never_what_was_cut(workspace: Path):
    ws = Workspace.open(workspace)
    folder = workspace / "transcripts" / "ana"
    path = write_transcript(folder)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["transcribed_at"] = "2026-11-30T10:00:00+00:00"
    path.write_text(json.dumps(data), encoding="utf-8")
    review.mark_reviewed(folder, by="Priya", now=NOW)
    audio = audio_for(workspace)
    block = provenance(ws, "ana", audio, transcript().__class__.from_dict({**data, "reviewed": True}), 3)
    assert block == {"engine": "fake", "model": "fake-model", "transcribed_at": "2026-11-30T10:00:00+00:00",
                     "reviewed": True, "reviewed_at": "2026-12-01T12:00:00+00:00", "edited_by_hand": False,
                     "consent": "not recorded", "redactions": 3}
    rows = dict(provenance_rows(block))
    assert rows["Transcribed"] == "2026-11-30" and rows["Reviewed by a person"] == "2026-12-01"
    assert rows["Redactions"] == "3 redactions applied"


# ---------------------------------------------------------------- status


def test_status_reads_each_stage_s_files(workspace: Path):
    ws = Workspace.open(workspace)
    for name in ("ana.mp3", "bo.mp3", "cy.mp3"):
        (workspace / "media" / name).write_bytes(b"ID3 not really")
    write_transcript(workspace / "transcripts" / "bo")
    write_transcript(workspace / "transcripts" / "cy")
    state = chapters_path(ws.cache_dir, "cy")
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"chapters": [Chapter(0, 60, "intro", "Intro").to_dict()]}), encoding="utf-8")
    rows = {r.slug: r.state for r in recording_states(ws)}
    assert rows == {"ana": "new", "bo": "transcribed", "cy": "chaptered"}
    review.mark_reviewed(workspace / "transcripts" / "bo")
    assert {r.slug: r.state for r in recording_states(ws)}["bo"] == "reviewed"


def test_an_edit_after_the_review_means_it_needs_reviewing_again(workspace: Path):
    ws = Workspace.open(workspace)
    (workspace / "media" / "ana.mp3").write_bytes(b"ID3 not really")
    folder = workspace / "transcripts" / "ana"
    path = write_transcript(folder)
    review.mark_reviewed(folder, by="Priya")
    assert {r.slug: r.state for r in recording_states(ws)}["ana"] == "reviewed"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["segments"][0]["text"] = "Welcome, and thanks for joining us."
    path.write_text(json.dumps(data), encoding="utf-8")
    [row] = recording_states(ws)
    assert row.state == "transcribed" and "needs review" in row.detail
    assert review.holds(review.read_review(folder), data) is False
    review.mark_reviewed(folder, by="Priya")  # reviewed again
    assert {r.slug: r.state for r in recording_states(ws)}["ana"] == "reviewed"
