"""Many recordings at once: worker processes on this machine, or a Dask cluster.

Each recording is independent until publishing, so the per-recording steps (ingest,
transcribe, chapter) run in workers and the publish step (feed, pages) runs here.

* ``run_pool``: ``learncast build --jobs N``. N worker processes, each loading the model
  once and using ``cores // N`` threads, so jobs × threads never exceeds the cores.
  While one worker decodes or encodes a recording with ffmpeg, another is transcribing;
  this process chapters each transcript as it arrives.
* ``run_dask``: ``learncast build --scheduler tcp://HOST:8786``. One Dask task per
  recording and step, chained, so a cluster of machines shares the work. Workers need this
  package installed and the workspace at the same path (a shared folder).

When the build publishes, every path also encodes the recording's MP3 and MP4 audio
(:func:`pipeline.publish.media.prepare_media`, into the workspace cache) as soon as it
is ingested, alongside its transcription: ffmpeg and Whisper then share the cores
instead of taking turns, and publishing only copies and tags. The media step never
fails a recording: if it goes wrong, publishing encodes again and reports the error.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import uuid
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Sequence

from .errors import BuildError, UsageError
from .models import Audio, Recording
from .stages import QuietReporter, RecordingResult, Resources, step
from .stages import run_steps as run_recording
from .workspace import Workspace

log = logging.getLogger(__name__)

_RESOURCES: dict[tuple, Resources] = {}  # this worker's Resources for the build in progress


def _resources(root: str, options: dict[str, Any], reporter: Any = None, run: str = "") -> Resources:
    """The worker's Resources for one build (``run``), made on its first task.

    A Dask worker outlives builds, so a new build gets new Resources and sees any edit
    to learncast.toml or the question set; the speech model itself stays loaded (the
    engines module keeps it per process), which is what makes reuse worth having.
    """
    key = (root, run, tuple(sorted((k, str(v)) for k, v in options.items())))
    res = _RESOURCES.get(key)
    if res is None:
        _RESOURCES.clear()
        res = _RESOURCES[key] = Resources(Workspace.open(root), reporter=reporter, **options)
    elif reporter is not None:
        res.reporter = reporter
    return res


def worker_options(options: dict[str, Any], jobs: int, recordings: int | None = None) -> dict[str, Any]:
    """Options for each worker: Whisper threads so that workers × threads = the cores.

    With fewer recordings than ``jobs``, only that many workers start, so each gets more
    threads (one recording on two cores transcribes with both).
    """
    workers = max(1, min(jobs, recordings or jobs))
    opts = {k: v for k, v in options.items() if k != "reporter"}
    if opts.get("threads") is None:
        opts["threads"] = max(1, (os.cpu_count() or 1) // workers)
    return opts


def _planned(reporter: Any, count: int) -> None:
    """Tell a reporter that can draw an overall bar how many recordings there are."""
    planned = getattr(reporter, "planned", None)
    if planned is not None:
        planned(count)


# ---------------------------------------------------------------- media alongside ASR


def media_cache_dir(ws: Workspace) -> Path:
    """Where encoded media waits for publishing (see :func:`~pipeline.publish.media.prepare_media`)."""
    from .publish.media import CACHE_FOLDER

    return ws.cache_dir / CACHE_FOLDER


def prepare_recording_media(ws: Workspace, audio: Audio) -> None:
    """Encode one ingested recording's MP3 (and MP4 audio) into the cache; log, never raise.

    A failure here is not the recording's failure: publishing encodes again, and
    reports the error in the usual way if it happens again.
    """
    from .publish.media import prepare_media

    try:
        prepare_media(audio.recording.path, media_cache_dir(ws), channels=min(2, max(1, audio.channels)),
                      video=audio.has_video)
    except Exception as exc:  # noqa: BLE001 - reported by the publish step instead
        log.info("%s: encoding ahead of publishing failed (%s); publishing will retry",
                 audio.recording.slug, exc)


class MediaPrefetch:
    """Runs :func:`prepare_recording_media` on a background thread while the caller transcribes.

    ffmpeg does the work in its own process, so one thread is enough and the GIL is no
    obstacle. ``wait`` before publishing, so publishing never encodes the same file twice.
    """

    def __init__(self, ws: Workspace, enabled: bool = True):
        self.ws = ws
        self.enabled = enabled
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future] = []

    def start(self, audio: Audio | None) -> None:
        if not self.enabled or audio is None:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="learncast-media")
        self._futures.append(self._pool.submit(prepare_recording_media, self.ws, audio))

    def wait(self) -> None:
        for fut in self._futures:
            fut.result()
        self._futures.clear()

    def close(self) -> None:
        self.wait()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> MediaPrefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_steps(res: Resources, rec: Recording, steps: Sequence[str], prefetch: MediaPrefetch) -> RecordingResult:
    """Every step for one recording, with its media encoded alongside from ingest on."""
    result = run_recording(res, rec, steps, after_ingest=prefetch.start)
    prefetch.wait()
    return result


# ---------------------------------------------------------------- local processes


class _QueueReporter:
    """Sends a worker's progress to the parent, which draws it."""

    def __init__(self, q: Any):
        self.q = q

    def started(self, slug: str, stage: str, total: float | None = None) -> None:
        self.q.put(("started", slug, stage, total))

    def advanced(self, slug: str, done: float) -> None:
        self.q.put(("advanced", slug, done))

    def finished(self, slug: str, ok: bool, message: str = "") -> None:
        pass  # the parent reports outcomes as results arrive


_WORKER: dict[str, Any] = {}


def _init_worker(root: str, options: dict[str, Any], q: Any) -> None:
    _WORKER.update(root=root, options=options, queue=q)


# Cheap per recording but costly to set up in every worker (chaptering loads a sentence
# embedding model in every process: see bench/RESULTS.md), so the parent runs them as results arrive,
# while the workers go on transcribing.
_PARENT_STEPS = ("chapter", "load")


def split_steps(steps: Sequence[str]) -> tuple[list[str], list[str]]:
    """(steps for the workers, the trailing steps the parent runs)."""
    i = len(steps)
    while i > 0 and steps[i - 1] in _PARENT_STEPS:
        i -= 1
    return list(steps[:i]), list(steps[i:])


def _work(rec: Recording, steps: Sequence[str], publish: bool) -> RecordingResult:
    res = _resources(_WORKER["root"], _WORKER["options"], _QueueReporter(_WORKER["queue"]))
    with MediaPrefetch(res.ws, enabled=publish) as prefetch:
        return run_steps(res, rec, steps, prefetch)


def run_pool(ws: Workspace, recordings: list[Recording], steps: Sequence[str], jobs: int,
             options: dict[str, Any]) -> list[RecordingResult]:
    """Process ``recordings`` in ``jobs`` worker processes; results sorted by slug.

    The workers ingest and transcribe (and encode the media when publishing); this
    process chapters each recording as its transcript arrives.
    """
    reporter = options.get("reporter") or QuietReporter()
    opts = worker_options(options, jobs, len(recordings))
    worker_steps, parent_steps = split_steps(steps)
    parent = Resources(ws, **{**options, "reporter": reporter})
    _planned(reporter, len(recordings))
    ctx = get_context("spawn")  # no inherited threads or locks; model libraries prefer it
    manager = ctx.Manager()
    events = manager.Queue()
    stop = threading.Event()

    def relay() -> None:
        while not stop.is_set():
            try:
                kind, slug, *args = events.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError):
                return
            getattr(reporter, kind)(slug, *args)

    relay_thread = threading.Thread(target=relay, daemon=True)
    relay_thread.start()
    results: list[RecordingResult] = []
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(recordings)), mp_context=ctx,
                                 initializer=_init_worker,
                                 initargs=(str(ws.root), opts, events)) as pool:
            futures = {pool.submit(_work, rec, worker_steps, "load" in steps): rec for rec in recordings}
            for fut in as_completed(futures):
                rec = futures[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # a worker died (out of memory, killed)
                    result = _lost(rec, exc, fix="run the build again; if it recurs, use --jobs 1")
                result = run_recording(parent, rec, parent_steps, result=result)
                reporter.finished(rec.slug, result.ok, result.message)
                results.append(result)
    finally:
        stop.set()
        relay_thread.join(timeout=2)
        manager.shutdown()
    return sorted(results, key=lambda r: r.slug)


def _lost(rec: Recording, exc: BaseException, *, fix: str) -> RecordingResult:
    """A failed result for a recording whose worker never answered."""
    detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return RecordingResult(slug=rec.slug, path=rec.path, ok=False, error=BuildError(
        f"the worker processing it stopped ({detail[:200]})", path=rec.path, fix=fix))


# ---------------------------------------------------------------- Dask

# Whisper is the long pole: once a recording is ingested its transcription goes first,
# then the next ingest, and encoding fills the gaps.
_PRIORITY = {"ingest": 1, "encode": 0}
_DEFAULT_PRIORITY = 2


def _dask_threads(slots: dict[str, int]) -> int:
    """Whisper threads for a task on this worker: the host's cores shared by its task slots."""
    from distributed import get_worker

    host = _host(get_worker().address)
    return max(1, (os.cpu_count() or 1) // max(1, slots.get(host, 1)))


def _dask_step(root: str, run: str, options: dict[str, Any], slots: dict[str, int], rec: Recording, name: str,
               previous: tuple[RecordingResult, Path | None] | None) -> tuple[RecordingResult, Path | None]:
    opts = dict(options)
    if opts.get("threads") is None:
        opts["threads"] = _dask_threads(slots)
    res = _resources(root, opts, run=run)
    result, stereo = previous if previous is not None else (RecordingResult(slug=rec.slug, path=rec.path), None)
    return step(res, rec, name, result, stereo)


def _dask_encode(root: str, ingested: tuple[RecordingResult, Path | None]) -> bool:
    result, _ = ingested
    if result.ok and result.audio is not None:
        prepare_recording_media(Workspace.open(root), result.audio)
    return result.ok


def _host(address: str) -> str:
    """``tcp://10.0.0.5:40123`` -> ``10.0.0.5``."""
    return address.split("://", 1)[-1].rsplit(":", 1)[0]


def connect(scheduler: str):
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError("Dask is not installed", fix="pip install 'learncast[dask]'") from None
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler} ({exc})",
                         fix="start it with `dask scheduler`, or check the address and port") from None


def run_dask(ws: Workspace, recordings: list[Recording], steps: Sequence[str], scheduler: Any,
             options: dict[str, Any]) -> list[RecordingResult]:
    """One task per recording and step; ``scheduler`` is an address or a dask Client.

    Each recording's steps are chained (a step's task takes the previous one's result),
    and when the build publishes an encoding task hangs off its ingest, so it runs on
    another worker while this one transcribes. Workers open the workspace at the same
    path as here: it must be on a shared folder.
    """
    from dask.distributed import as_completed as dask_completed

    reporter = options.get("reporter") or QuietReporter()
    opts = {k: v for k, v in options.items() if k != "reporter"}
    client = scheduler if not isinstance(scheduler, str) else connect(scheduler)
    run_id = uuid.uuid4().hex[:8]
    root = str(ws.root)
    _planned(reporter, len(recordings))
    try:
        slots: Counter[str] = Counter()
        for address, info in client.scheduler_info()["workers"].items():
            slots[_host(address)] += int(info.get("nthreads") or 1)
        stage_of: dict[str, tuple[str, str]] = {}  # task key -> (slug, step)
        finals: dict[str, tuple[Any, Recording]] = {}  # last step's key -> (future, recording)
        encodes = []
        for rec in recordings:
            fut = None
            for name in steps:
                key = f"learncast-{name}-{run_id}-{rec.slug}"
                fut = client.submit(_dask_step, root, run_id, opts, dict(slots), rec, name, fut, key=key, pure=False,
                                    priority=_PRIORITY.get(name, _DEFAULT_PRIORITY))
                stage_of[key] = (rec.slug, name)
                if name == "ingest" and "load" in steps:
                    key = f"learncast-encode-{run_id}-{rec.slug}"
                    encodes.append(client.submit(_dask_encode, root, fut, key=key, pure=False,
                                                 priority=_PRIORITY["encode"]))
            finals[fut.key] = (fut, rec)
        results = []
        with _DaskStatus(client, stage_of, reporter):
            for fut in dask_completed([f for f, _ in finals.values()]):
                rec = finals[fut.key][1]
                try:
                    result, _ = fut.result()
                except Exception as exc:  # the task's worker died, or could not import this package
                    result = _lost(rec, exc, fix="check the Dask workers have learncast installed and the "
                                                 "workspace at the same path, then build again")
                reporter.finished(rec.slug, result.ok, result.message)
                results.append(result)
            for fut in encodes:  # publishing must not start encoding what a worker is still encoding
                fut.exception()
    finally:
        if isinstance(scheduler, str):
            client.close()
    return sorted(results, key=lambda r: r.slug)


class _DaskStatus:
    """Shows which step each recording is on, by asking the scheduler what is running.

    Dask reports a task when it ends, not when it starts; the scheduler's list of
    processing tasks, polled once a second, fills the gap for the progress display.
    """

    def __init__(self, client: Any, stage_of: dict[str, tuple[str, str]], reporter: Any,
                 interval: float = 1.0):
        self.client = client
        self.stage_of = stage_of
        self.reporter = reporter
        self.interval = interval
        self._stop = threading.Event()
        self._shown: dict[str, str] = {}
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                running = [k for keys in self.client.processing().values() for k in keys]
            except Exception:  # noqa: BLE001 - the display is best effort; results still arrive
                continue
            for key in running:
                slug, name = self.stage_of.get(str(key), (None, None))
                if slug is not None and self._shown.get(slug) != name:
                    self._shown[slug] = name
                    self.reporter.started(slug, name)

    def __enter__(self) -> _DaskStatus:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)
