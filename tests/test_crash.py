"""Crash safety: kill -9 or Ctrl-C a real `learncast build` at many moments, rebuild, and
check that every output is valid; and one build at a time per workspace.

The builds are real processes. Most use a wrapper script that registers a slow,
deterministic fake engine under the default engine's name and then runs the CLI, so
the moments of interest (mid-transcription, mid-encoding) are long enough to hit. One
test (marked slow) does the same with the real embedded Whisper model.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Callable

import feedparser
import pytest
import srt
import webvtt

from conftest import ROOT, have, make_tone
from pipeline.ffmpeg import ffmpeg_exe, ffprobe_exe

TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp(\.[^./]*)?$")

# Registers a slow fake engine as "faster-whisper", labels speakers by position, chapters with
# the lexical scorer, runs the CLI; with KILL_AT > 0 it kills itself (SIGKILL) instead of
# making its KILL_AT-th atomic rename, i.e. just before an output is committed.
# Usage: python wrapper.py CALLS_LOG SECONDS_PER_CALL KILL_AT learncast-args...
WRAPPER = """
import dataclasses, os, signal, sys, time
sys.path[:0] = [{tests!r}, {root!r}]  # tests/ first: its conftest, not the root one
from conftest import scripted_segments
from pipeline import transcribe
from pipeline.chapters import register_scorer
from pipeline.chapters.lexical import LexicalScorer
from pipeline.transcribe.engines import RawResult, register_engine

LOG, DELAY, KILL_AT = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
del sys.argv[1:4]
if KILL_AT:
    replace, renames = os.replace, [0]
    def dying_replace(src, dst, **kw):
        renames[0] += 1
        if renames[0] == KILL_AT:
            os.kill(os.getpid(), signal.SIGKILL)
        return replace(src, dst, **kw)
    os.replace = dying_replace
register_scorer("auto", LexicalScorer)

class SlowFake:
    name = "faster-whisper"
    def __init__(self, model="", *, device="auto", threads=None):
        self.model_id = "slow-fake"
    def transcribe(self, wav, duration, options, progress=None):
        with open(LOG, "a") as fh:
            fh.write(str(wav) + "\\n")
        for i in range(10):
            time.sleep(DELAY / 10)
            if progress:
                progress(duration * (i + 1) / 10)
        return RawResult(language="en", segments=scripted_segments(duration))

register_engine("faster-whisper", SlowFake)
transcribe.label_speakers = lambda segs, audio, stereo: tuple(
    dataclasses.replace(s, speaker="interviewer" if "?" in s.text or i == 0 else "interviewee")
    for i, s in enumerate(segs))
from pipeline.cli import main
main(prog_name="learncast")
"""


@pytest.fixture
def wrapper(tmp_path: Path) -> Path:
    path = tmp_path / "learncast_fake.py"
    path.write_text(WRAPPER.format(root=str(ROOT), tests=str(ROOT / "tests")), encoding="utf-8")
    return path


def start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def fake_build(wrapper: Path, root: Path, calls: Path, delay: float = 1.0, kill_at: int = 0) -> list[str]:
    return [sys.executable, str(wrapper), str(calls), str(delay), str(kill_at), "build", "-w", str(root),
            "-j", "1"]


def real_build(root: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", "-w", str(root), "-j", "1"]


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 120.0,
              sig: int = signal.SIGKILL) -> bool:
    """Send ``sig`` as soon as ``ready()``; False when the build ended first.

    The process's output is left in ``proc.output`` (stderr).
    """
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            proc.output = proc.communicate()[1]
            return False
        if ready():
            proc.send_signal(sig)
            proc.output = proc.communicate(timeout=60)[1]
            return True
        time.sleep(0.01)
    proc.kill()
    proc.communicate()
    raise AssertionError("the moment to interrupt never came")


def after(seconds: float) -> Callable[[], bool]:
    began = time.monotonic()
    return lambda: time.monotonic() - began >= seconds


def temp_files(root: Path) -> list[Path]:
    return [p for top in ("site", "transcripts", ".learncast") for p in (root / top).rglob(".*")
            if p.is_file() and TEMP_RE.match(p.name)]


def encoding_in_progress(root: Path) -> Callable[[], bool]:
    """True while ffmpeg writes a new temporary MP3/MP4 into site/episodes (mid-publish).

    Make it when the build starts: one a killed build left behind does not count.
    """
    def partial() -> set[Path]:
        return {p for p in (root / "site" / "episodes").glob("*/.*")
                if TEMP_RE.match(p.name) and p.suffix in (".mp3", ".mp4")}

    old = partial()
    return lambda: bool(partial() - old)


def transcribing(root: Path, calls: Path | None = None) -> Callable[[], bool]:
    """True once a recording is decoded and before all its transcripts exist."""
    def ready() -> bool:
        if calls is not None:
            return calls.is_file() and bool(calls.read_text().strip())
        return any((root / ".learncast" / "audio").glob("*.wav"))
    return ready


def check_valid(root: Path, *, complete: bool, slugs: set[str] = frozenset()) -> None:
    """Every output that exists is whole and readable; ``complete``: all of them exist, no temps."""
    from pipeline.transcribe import load_transcript_file

    for path in list(root.joinpath("transcripts").rglob("*")) + list(root.joinpath("site").rglob("*")):
        if not path.is_file() or TEMP_RE.match(path.name):
            continue
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
            if path.name == "transcript.json" and path.parent.parent.name == "transcripts":
                load_transcript_file(path)
        elif path.suffix == ".vtt":
            webvtt.read(str(path))
        elif path.suffix == ".srt":
            assert list(srt.parse(path.read_text(encoding="utf-8"))), path
        elif path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
        elif path.suffix == ".xml":
            feed = feedparser.parse(path.read_bytes())
            assert not feed.bozo, (path, feed.get("bozo_exception"))
        elif path.suffix in (".mp3", ".mp4"):
            probe = subprocess.run([ffprobe_exe(), "-v", "error", "-print_format", "json", "-show_format",
                                    "-show_streams", str(path)], capture_output=True, text=True, check=False)
            assert probe.returncode == 0, (path, probe.stderr)
            assert float(json.loads(probe.stdout)["format"]["duration"]) > 1.0, path
            decode = subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
                                    capture_output=True, text=True, check=False)
            assert decode.returncode == 0 and not decode.stderr.strip(), (path, decode.stderr)
    if complete:
        assert temp_files(root) == []
        feed = feedparser.parse((root / "site" / "feed.xml").read_bytes())
        assert {e.link.rstrip("/").rsplit("/", 1)[-1] for e in feed.entries} == slugs
        for slug in slugs:
            out = root / "site" / "episodes" / slug
            assert (out / "index.html").is_file() and (out / "audio.mp3").is_file(), slug
            for name in ("transcript.json", "transcript.vtt", "transcript.srt", "transcript.txt", "chapters.json"):
                assert (root / "transcripts" / slug / name).is_file(), (slug, name)


def finish(cmd: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


# ---------------------------------------------------------------- kill -9 with the fake engine


@pytest.fixture
def three(workspace: Path) -> Path:
    make_tone(workspace / "media" / "alice.mp3", 6.0)
    make_tone(workspace / "media" / "bob.mp4", 7.0, video=True)
    make_tone(workspace / "media" / "carol.wav", 8.0, channels=2)
    return workspace


def test_kill_9_at_many_moments_then_rebuild_gives_valid_outputs(three: Path, wrapper: Path, tmp_path: Path):
    calls = tmp_path / "calls.log"
    cmd = fake_build(wrapper, three, calls)
    # Each makes its trigger when a build starts: seconds after the start, or a moment of work.
    moments = [lambda: after(0.3), lambda: after(0.6), lambda: transcribing(three, calls),
               lambda: after(1.0), lambda: after(2.0), lambda: encoding_in_progress(three),
               lambda: after(4.0), lambda: encoding_in_progress(three), lambda: after(8.0)]
    kills = 0
    for moment in moments:
        proc = start(cmd)
        if kill_when(proc, moment()):
            kills += 1
            check_valid(three, complete=False)
    assert kills >= 5, "the build finished before most interruptions: make the fake engine slower"
    media_before = {p.name: p.stat().st_mtime_ns for p in (three / "media").iterdir()}
    finish(cmd)
    check_valid(three, complete=True, slugs={"alice", "bob", "carol"})
    transcribed = calls.read_text().split()
    # Each kill may lose at most the one transcription it interrupted; finished ones are kept.
    assert 3 <= len(transcribed) <= 3 + kills
    assert {p.name: p.stat().st_mtime_ns for p in (three / "media").iterdir()} == media_before
    before = len(transcribed)
    finish(cmd)
    assert len(calls.read_text().split()) == before  # a no-change rebuild transcribes nothing


def test_killed_just_before_each_commit_then_rebuilt(three: Path, wrapper: Path, tmp_path: Path):
    """Deterministic crash points: the Nth output rename of a build, for growing N."""
    calls = tmp_path / "calls.log"
    killed = 0
    for n in (1, 2, 3, 4, 6, 8, 10, 13, 16, 20, 25, 30, 36, 43, 50, 60, 75, 100):
        done = subprocess.run(fake_build(wrapper, three, calls, delay=0.0, kill_at=n), cwd=ROOT,
                              capture_output=True, text=True, check=False, timeout=300)
        if done.returncode == -signal.SIGKILL:
            killed += 1
            check_valid(three, complete=False)
        else:
            assert done.returncode == 0, done.stderr
            break
    assert killed >= 10
    finish(fake_build(wrapper, three, calls, delay=0.0))
    check_valid(three, complete=True, slugs={"alice", "bob", "carol"})


def test_ctrl_c_stops_cleanly_and_the_next_build_finishes(three: Path, wrapper: Path, tmp_path: Path):
    calls = tmp_path / "calls.log"
    cmd = fake_build(wrapper, three, calls, delay=3.0)
    proc = start(cmd)
    assert kill_when(proc, transcribing(three, calls), sig=signal.SIGINT)
    assert proc.returncode == 130
    assert "interrupted" in proc.output and "Traceback" not in proc.output
    assert temp_files(three) == []  # Ctrl-C removes its half-written files itself
    check_valid(three, complete=False)
    proc = start(fake_build(wrapper, three, calls, delay=0.1))
    assert kill_when(proc, encoding_in_progress(three), sig=signal.SIGINT)
    assert proc.returncode == 130 and temp_files(three) == []
    finish(fake_build(wrapper, three, calls, delay=0.1))
    check_valid(three, complete=True, slugs={"alice", "bob", "carol"})


# ---------------------------------------------------------------- one build at a time


LOCK_HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from pipeline.workspace import Workspace, workspace_lock
with workspace_lock(Workspace.open(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_second_build_is_refused_and_a_killed_builds_lock_does_not_block(three: Path, tmp_path: Path,
                                                                          wrapper: Path):
    holder = tmp_path / "hold.py"
    holder.write_text(LOCK_HOLDER.format(root=str(ROOT)), encoding="utf-8")
    proc = start([sys.executable, str(holder), str(three)])
    try:
        assert proc.stdout.readline().strip() == "locked"
        refused = subprocess.run(fake_build(wrapper, three, tmp_path / "calls.log", 0.0), cwd=ROOT,
                                 capture_output=True, text=True, check=False, timeout=120)
        assert refused.returncode == 2
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and "another learncast command is working on this workspace" in lines[0]
        assert "Fix:" in lines[0] and "Traceback" not in refused.stderr
        assert not (tmp_path / "calls.log").exists()  # it did no work
    finally:
        proc.kill()  # kill -9: the holder never releases the lock itself
        proc.communicate()
    assert (three / ".learncast" / "build.lock").exists()  # the file stays; the lock went with the process
    finish(fake_build(wrapper, three, tmp_path / "calls.log", 0.0))
    check_valid(three, complete=True, slugs={"alice", "bob", "carol"})


def test_two_real_builds_at_once(three: Path, wrapper: Path, tmp_path: Path):
    calls = tmp_path / "calls.log"
    first = start(fake_build(wrapper, three, calls, delay=2.0))
    deadline = time.monotonic() + 60
    while not (calls.is_file() and calls.read_text().strip()):
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    second = subprocess.run(fake_build(wrapper, three, calls, delay=0.0), cwd=ROOT, capture_output=True,
                            text=True, check=False, timeout=120)
    assert second.returncode == 2 and "another learncast command" in second.stderr
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    check_valid(three, complete=True, slugs={"alice", "bob", "carol"})


# ---------------------------------------------------------------- the real model


def speech_clip(path: Path, text: str, voice: str = "en-us") -> Path:
    wav = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-i", str(wav), "-af",
                    "apad=pad_dur=1", "-ar", "44100", "-ac", "1", str(path)], check=True)
    wav.unlink()
    return path


INTERVIEW = (
    "Welcome, and thank you for joining us today. What rules did you have to break to make this work? "
    "We broke the rule that every referral needed a signed form first. The form took two weeks to come "
    "back, and people were waiting in hospital beds they did not need. So we let the social worker "
    "start the plan on the phone, and the paperwork followed later. What relationships were important "
    "to build, and how did you build trust? The ward sisters mattered most. We sat with them every "
    "morning for a month. Thank you so much for your time."
)


@pytest.mark.slow
@pytest.mark.skipif(not have("espeak-ng"), reason="needs espeak-ng")
def test_kill_9_real_model_build_at_many_moments(workspace: Path):
    speech_clip(workspace / "media" / "ward-sister.mp3", INTERVIEW)
    root, cmd = workspace, real_build(workspace)
    transcript = root / "transcripts" / "ward-sister" / "transcript.json"
    moments = [
        lambda: after(0.5), lambda: after(1.0), lambda: after(2.0),
        lambda: after(3.0), lambda: after(4.0),  # decoded by now: loading the model, transcribing
        lambda: encoding_in_progress(root),  # the MP3 being encoded
        lambda: after(8.0), lambda: after(16.0),
    ]
    seen = set()
    kills = 0
    for moment in moments:
        proc = start(cmd)
        if kill_when(proc, moment(), timeout=300):
            kills += 1
            if transcribing(root)() and not transcript.exists():
                seen.add("mid-transcription")
            if any(p.suffix == ".mp3" for p in temp_files(root)):
                seen.add("mid-encoding")
            check_valid(root, complete=False)
    assert seen == {"mid-transcription", "mid-encoding"}
    assert kills >= 4
    finish(cmd)
    check_valid(root, complete=True, slugs={"ward-sister"})
    data = json.loads(transcript.read_text(encoding="utf-8"))
    assert data["engine"] == "faster-whisper" and "rule" in " ".join(s["text"] for s in data["segments"]).lower()
