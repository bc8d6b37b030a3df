"""Every file has one writer, and a build never writes a person's files.

* ``learncast publish`` (and a no-change ``learncast build``) leaves every file under
  ``transcripts/`` byte-identical, with a hand edit, chapter corrections, redactions,
  consent and a review present;
* a person who saves ``transcript.json`` while a build is transcribing that very recording
  keeps their save: a real second process writes the file at the moment Whisper runs;
* a person saving over and over while builds run never loses the last save.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, make_tone, recording_data, scripted_segments
from pipeline.transcribe.engines import RawResult, register_engine, unregister_engine

pytestmark = pytest.mark.build_options(scorer="lexical")


def checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def edited(workspace: Path, run, cli, fake_engine, no_speakers) -> Path:
    """Two recordings built, then everything a person can add: a hand edit to
    transcript.json, chapter corrections, redactions, consent, a review, a quote and a takeaway."""
    make_tone(workspace / "media" / "jane.mp3", 12.0)
    make_tone(workspace / "media" / "omar.mp4", 10.0, video=True)
    assert run(workspace).exit_code == 0
    path = workspace / "transcripts" / "jane" / "transcript.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["segments"][2]["text"] = "We broke the rule that every referral needed a signed form first, said Jane."
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    for args in (("chapters", "jane", "--title", "0:03=Breaking the form rule"),
                 ("redact", "jane", "--phrase", "joining us", "--reason", "asked"),
                 ("redact", "omar", "--range", "0:01-0:02"),
                 ("consent", "jane", "public"), ("consent", "omar", "public"),
                 ("review", "jane", "--by", "Priya"),
                 ("quote", "jane", "--phrase", "every referral needed", "--note", "for the newsletter"),
                 ("takeaway", "jane", "rules", "Drop the form-first rule.")):
        result = cli(*args, "--workspace", workspace)
        assert result.exit_code == 0, result.output
    assert run(workspace).exit_code == 0  # the corrections are applied once
    return workspace


def test_publish_leaves_every_file_under_transcripts_byte_identical(edited: Path, cli, run):
    before = checksums(edited / "transcripts")
    assert {"jane/transcript.json", "jane/chapters.edit.toml", "jane/redactions.toml", "jane/consent.toml",
            "jane/review.toml", "omar/redactions.toml", "omar/consent.toml", "jane/quotes.toml",
            "jane/takeaways.toml"} <= set(before)
    (edited / "site" / "feed.xml").unlink()  # publishing really has work to do
    result = cli("publish", "--workspace", edited)
    assert result.exit_code == 0, result.output
    assert (edited / "site" / "feed.xml").is_file()
    assert checksums(edited / "transcripts") == before
    assert run(edited).exit_code == 0
    assert checksums(edited / "transcripts") == before  # nor does a build with nothing new
    page = (edited / "site" / "episodes" / "jane" / "index.html").read_text(encoding="utf-8")
    assert "said Jane" in page and "joining us" not in page and "Breaking the form rule" in page
    assert "every referral needed" in page and "Drop the form-first rule." in page
    view = recording_data(edited, "jane")
    assert view["reviewed"] is True and view["reviewed_by"] == "Priya"


def test_the_person_saving_during_transcription_keeps_their_save(workspace: Path, run, no_speakers, tmp_path):
    """A second process saves transcript.json while Whisper is transcribing that recording."""
    make_tone(workspace / "media" / "jane.mp3", 12.0)
    started, saved = tmp_path / "asr-started", tmp_path / "person-saved"

    class SlowEngine:
        name = "slow-fake"

        def __init__(self, model: str = "", *, device: str = "auto", threads: int | None = None):
            self.model_id = model or "slow-model"

        def transcribe(self, wav, duration, options, progress=None):
            started.touch()
            deadline = time.monotonic() + 60
            while not saved.exists() and time.monotonic() < deadline:  # Whisper takes a while
                time.sleep(0.05)
            return RawResult(language="en", segments=scripted_segments(duration))

    register_engine("slow-fake", SlowEngine)
    try:
        assert run(workspace, engine="slow-fake").exit_code == 0  # the first transcript
        path = workspace / "transcripts" / "jane" / "transcript.json"
        started.unlink()
        person = subprocess.Popen([sys.executable, "-c", _PERSON, str(path), str(started), str(saved)], cwd=ROOT)
        # another model: the build transcribes again, and the person saves meanwhile
        report = run(workspace, engine="slow-fake", model="another-model")
        assert person.wait(timeout=60) == 0
    finally:
        unregister_engine("slow-fake")
    assert report.exit_code == 0, [r.message for r in report.failed]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["segments"][0]["text"] == "Corrected by Priya while the build ran."
    assert data["model"] == "slow-model"  # the new transcript was not written over the save
    page = (workspace / "site" / "episodes" / "jane" / "index.html").read_text(encoding="utf-8")
    assert "Corrected by Priya while the build ran." in page


_PERSON = """
import json, os, sys, time
path, started, saved = sys.argv[1:]
deadline = time.monotonic() + 60
while not os.path.exists(started) and time.monotonic() < deadline:
    time.sleep(0.02)
data = json.load(open(path, encoding="utf-8"))
data["segments"][0]["text"] = "Corrected by Priya while the build ran."
tmp = path + ".editor-tmp"
with open(tmp, "w", encoding="utf-8") as fh:  # as an editor saves: a new file, renamed over
    json.dump(data, fh, indent=2)
os.replace(tmp, path)
open(saved, "w").close()
"""


def test_saves_while_builds_run_are_never_lost(workspace: Path, run, fake_engine, no_speakers):
    make_tone(workspace / "media" / "jane.mp3", 8.0)
    assert run(workspace).exit_code == 0
    path = workspace / "transcripts" / "jane" / "transcript.json"
    base = json.loads(path.read_text(encoding="utf-8"))
    last: list[str] = []
    stop = threading.Event()

    def person() -> None:  # saves a new correction every few milliseconds
        n = 0
        while not stop.is_set():
            n += 1
            data = {**base, "segments": [dict(s) for s in base["segments"]]}
            data["segments"][0]["text"] = f"Correction number {n}."
            tmp = path.with_name(".editor-save")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(path)
            last[:] = [data["segments"][0]["text"]]
            time.sleep(0.005)

    writer = threading.Thread(target=person)
    writer.start()
    try:
        for model in ("m1", "m2", "m3"):  # each would re-transcribe a machine transcript
            report = run(workspace, model=model)
            assert report.exit_code == 0, [r.message for r in report.failed]
    finally:
        stop.set()
        writer.join()
    assert json.loads(path.read_text(encoding="utf-8"))["segments"][0]["text"] == last[0]


def test_publish_remakes_the_chapters_when_their_record_is_gone(edited: Path, cli):
    import shutil

    before = checksums(edited / "transcripts")
    shutil.rmtree(edited / ".learncast" / "chapters")  # the cache is disposable
    result = cli("publish", "--workspace", edited)
    assert result.exit_code == 0, result.output
    page = (edited / "site" / "episodes" / "jane" / "index.html").read_text(encoding="utf-8")
    assert "Breaking the form rule" in page  # the correction, applied to chapters made again
    assert (edited / ".learncast" / "chapters" / "jane.json").is_file()
    assert checksums(edited / "transcripts") == before
