"""Parallel builds give the same outputs as a one-at-a-time build.

Worker processes (``--jobs 2``), a Dask ``LocalCluster`` and a Dask scheduler and worker
started as separate processes all build the same small workspace as a plain
``--jobs 1`` build, and every output is compared: transcript.json (timestamps aside),
the VTT, chapters.json, the feed (build dates aside) and the MP3 and MP4 bytes.

A fake engine registered here would not exist in the worker processes, so these run
the real embedded model on short cuts of the sample interview (a few seconds each).
A file that is not media sits among the recordings, and must come back failed with
the same one-line message however the build ran. These build tests are marked slow
(about two minutes together on two cores).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE
from pipeline import build, stages
from pipeline.ffmpeg import ffmpeg_exe
from pipeline.parallel import MediaPrefetch, media_cache_dir, run_steps, worker_options
from pipeline.workspace import Workspace, init_workspace

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
TIMESTAMP_KEYS = {"transcribed_at", "first_published", "reviewed_at"}
STARTUP_TIMEOUT = 60.0


def _cut(dest: Path, start: float, seconds: float, *, audio_only: bool) -> None:
    args = [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-ss", str(start), "-t", str(seconds),
            "-i", str(SAMPLE)]
    args += ["-vn", "-c:a", "libmp3lame", "-b:a", "64k"] if audio_only else ["-c", "copy"]
    subprocess.run([*args, str(dest)], check=True)


@pytest.fixture(scope="module")
def media_files(tmp_path_factory) -> Path:
    """Two real two-voice recordings (an MP4 with video, an MP3) and one broken file."""
    if not SAMPLE.is_file():
        pytest.skip("the sample interview is missing (scripts/make_sample_interview.py)")
    folder = tmp_path_factory.mktemp("media")
    _cut(folder / "alpha.mp4", 0.0, 14.0, audio_only=False)
    _cut(folder / "beta.mp3", 60.0, 14.0, audio_only=True)
    (folder / "broken.mp3").write_bytes(b"this is not an MP3 at all" * 20)
    return folder


def _workspace(parent: Path, media_files: Path) -> Workspace:
    root = parent / "ws"
    init_workspace(root, "Parallel Show")
    for f in media_files.iterdir():
        shutil.copy2(f, root / "media" / f.name)
    return Workspace.open(root)


def snapshot(ws: Workspace, report: build.BuildReport) -> dict:
    """The outputs a listener or reader sees, without the parts that record build times."""
    out: dict = {"results": sorted((r.slug, r.ok, r.message.replace(str(ws.root), "<ws>"))
                                   for r in report.results),
                 "published": sorted(report.published)}
    for folder in sorted(ws.transcripts_dir.iterdir()):
        data = json.loads((folder / "transcript.json").read_text())
        out[f"{folder.name}/transcript.json"] = _drop_keys(data, TIMESTAMP_KEYS)
        for name in ("transcript.vtt", "chapters.json"):
            out[f"{folder.name}/{name}"] = (folder / name).read_text()
    feed = (ws.site_dir / "feed.xml").read_text()
    out["feed.xml"] = re.sub(r"<lastBuildDate>[^<]*</lastBuildDate>", "", feed)
    for path in sorted(ws.site_dir.glob("episodes/*/*.mp[34]")):
        out[str(path.relative_to(ws.site_dir))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _drop_keys(value, keys: set[str]):
    if isinstance(value, dict):
        return {k: _drop_keys(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_drop_keys(v, keys) for v in value]
    return value


@pytest.fixture(scope="module")
def reference(tmp_path_factory, media_files: Path) -> dict:
    """The one-at-a-time build everything else is compared with."""
    ws = _workspace(tmp_path_factory.mktemp("serial"), media_files)
    report = build.run(ws, jobs=1, now=NOW)
    snap = snapshot(ws, report)
    assert sorted(report.published) == ["alpha", "beta"], snap["results"]
    return snap


class RecordingReporter:
    """Remembers what a build reported, as the CLI's progress display would hear it."""

    def __init__(self) -> None:
        self.planned_counts: list[int] = []
        self.stages: list[tuple[str, str]] = []
        self.outcomes: list[tuple[str, bool]] = []

    def planned(self, count: int) -> None:
        self.planned_counts.append(count)

    def started(self, slug: str, stage: str, total: float | None = None) -> None:
        self.stages.append((slug, stage))

    def advanced(self, slug: str, done: float) -> None:
        pass

    def finished(self, slug: str, ok: bool, message: str = "") -> None:
        self.outcomes.append((slug, ok))


def _check_same(snap: dict, reference: dict) -> None:
    assert snap.keys() == reference.keys()
    for key in reference:
        assert snap[key] == reference[key], key


def _check_broken(snap: dict) -> None:
    (slug, ok, message), = [r for r in snap["results"] if r[0] == "broken"]
    assert not ok
    assert "\n" not in message and "broken.mp3" in message and "not a readable audio or video file" in message


@pytest.mark.slow
def test_reference_build_has_real_transcripts_and_one_failure(reference: dict):
    _check_broken(reference)
    text = json.dumps(reference["alpha/transcript.json"]["segments"])
    assert len(reference["alpha/transcript.json"]["segments"]) >= 2 and "interview" in text.lower()
    assert "alpha" in reference["feed.xml"] and "beta" in reference["feed.xml"]


@pytest.mark.slow
def test_jobs_2_gives_the_same_outputs_as_jobs_1(tmp_path: Path, media_files: Path, reference: dict):
    ws = _workspace(tmp_path, media_files)
    reporter = RecordingReporter()
    report = build.run(ws, jobs=2, now=NOW, reporter=reporter)
    snap = snapshot(ws, report)
    _check_broken(snap)
    _check_same(snap, reference)
    # The workers' progress reached this process: one line per recording, then its outcome.
    assert set(reporter.planned_counts) == {3}  # the broken file is a recording until ingest refuses it
    assert {("alpha", "transcribe"), ("beta", "transcribe")} <= set(reporter.stages)
    assert sorted(reporter.outcomes) == [("alpha", True), ("beta", True), ("broken", False)]
    # The media was encoded in the workers, alongside transcription, into the cache.
    assert len(list(media_cache_dir(ws).glob("*.mp3"))) == 2
    assert len(list(media_cache_dir(ws).glob("*.mp4"))) == 1


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_outputs(tmp_path: Path, media_files: Path, reference: dict):
    distributed = pytest.importorskip("distributed")
    ws = _workspace(tmp_path, media_files)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster, timeout="30s") as client:
        reporter = RecordingReporter()
        report = build.run(ws, scheduler=client, now=NOW, reporter=reporter)
    snap = snapshot(ws, report)
    _check_broken(snap)
    _check_same(snap, reference)
    assert set(reporter.planned_counts) == {3}  # the broken file is a recording until ingest refuses it
    assert sorted(reporter.outcomes) == [("alpha", True), ("beta", True), ("broken", False)]
    assert {stage for _, stage in reporter.stages} <= set(build.plan(build.STAGES))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # dask's commands shut down cleanly on Ctrl-C
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _dask_cli(*args: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"))


@pytest.mark.slow
def test_dask_scheduler_and_worker_processes_give_the_same_outputs(tmp_path: Path, media_files: Path,
                                                                   reference: dict):
    distributed = pytest.importorskip("distributed")
    ws = _workspace(tmp_path, media_files)
    info = tmp_path / "scheduler.json"
    procs = [_dask_cli("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                       "--scheduler-file", str(info), log=tmp_path / "scheduler.log")]
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not info.is_file() and time.monotonic() < deadline:
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        assert re.fullmatch(r"tcp://127\.0\.0\.1:\d+", address)
        for i in range(2):
            procs.append(_dask_cli("worker", address, "--nthreads", "1", "--no-dashboard",
                                   "--death-timeout", "60", log=tmp_path / f"worker{i}.log"))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=STARTUP_TIMEOUT)
        report = build.run(ws, scheduler=address, now=NOW)  # the CLI's path: an address
    finally:
        for proc in reversed(procs):
            _stop(proc)
    snap = snapshot(ws, report)
    _check_broken(snap)
    _check_same(snap, reference)
    assert all(p.returncode is not None for p in procs)


@pytest.mark.slow
def test_unreachable_scheduler_is_a_usage_error(tmp_path: Path, media_files: Path):
    pytest.importorskip("distributed")
    from pipeline.errors import UsageError

    ws = _workspace(tmp_path, media_files)
    with pytest.raises(UsageError) as err:
        build.run(ws, scheduler="tcp://127.0.0.1:9")  # the discard port: nothing listens
    assert "dask scheduler" in err.value.one_line()


# ---------------------------------------------------------------- pieces


def test_workers_share_the_cores_between_them(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert worker_options({"reporter": object()}, jobs=4)["threads"] == 2
    assert "reporter" not in worker_options({"reporter": object()}, jobs=4)
    assert worker_options({}, jobs=4, recordings=1)["threads"] == 8  # one recording gets every core
    assert worker_options({}, jobs=16)["threads"] == 1
    assert worker_options({"threads": 3}, jobs=4)["threads"] == 3


@pytest.mark.slow
def test_media_is_encoded_while_the_recording_is_transcribed(tmp_path: Path, media_files: Path, monkeypatch):
    """run_steps starts the encoding right after ingest and waits for it before returning."""
    from pipeline.publish import media

    ws = _workspace(tmp_path, media_files)
    builder = stages.Resources(ws)
    rec = next(r for r in ws.recordings()[0] if r.slug == "alpha")
    times: dict[str, float] = {}

    def timed(name, func):
        def wrapper(*args, **kwargs):
            times[f"{name} start"] = time.monotonic()
            try:
                return func(*args, **kwargs)
            finally:
                times[f"{name} end"] = time.monotonic()
        return wrapper

    monkeypatch.setattr(stages, "transcribe_step", timed("transcribe", stages.transcribe_step))
    monkeypatch.setattr(media, "prepare_media", timed("encode", media.prepare_media))
    with MediaPrefetch(ws) as prefetch:
        result = run_steps(builder, rec, build.plan(build.STAGES), prefetch)
        assert "encode end" in times  # run_steps waited for it
    assert result.ok and result.transcript is not None
    assert times["encode start"] < times["transcribe end"] and times["transcribe start"] < times["encode end"]
    cached = sorted(p.suffix for p in media_cache_dir(ws).iterdir() if not p.name.startswith("."))
    assert cached == [".mp3", ".mp4"]


def test_progress_shows_recordings_in_flight_and_an_overall_bar():
    from pipeline.progress import CliReporter

    with CliReporter(enabled=True) as reporter:
        reporter.finished("refused", False, "not media")  # refused before the build planned
        reporter.planned(2)
        reporter.started("a", "ingest")
        reporter.started("a", "transcribe", 100.0)
        reporter.advanced("a", 50.0)
        reporter.started("b", "ingest")
        tasks = {t.fields["slug"]: t for t in reporter._progress.tasks}
        assert set(tasks) == {"all recordings", "a", "b"}
        overall = tasks["all recordings"]
        assert overall.total == 3 and overall.fields["stage"] == "1/3"
        assert overall.completed == pytest.approx(1 + 0.05 + 0.85 * 0.5)
        reporter.finished("a", True)
        reporter.started("a", "load")  # a worker's late event after the result arrived
        assert {t.fields["slug"] for t in reporter._progress.tasks} == {"all recordings", "b"}
        reporter.finished("b", True)
        overall = reporter._progress.tasks[0]
        assert (overall.completed, overall.total, overall.fields["stage"]) == (3, 3, "3/3")
