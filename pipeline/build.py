"""The orchestrator: runs the stages over a workspace, here, in worker processes or on Dask.

ingest → transcribe → chapter (→ formats) for every recording (:mod:`pipeline.stages`),
then publish once for the whole site (:mod:`pipeline.publish.episodes`). Each recording
is processed on its own: one that fails is reported with a one-line reason and the others
still finish. Every output is written atomically, and a person's files are never written.

Every stage is a function of its inputs, and each output remembers what it was made
from, so a rebuild redoes only what changed:

* ingest: the source file's size and mtime (``.learncast/sources/``), then its content hash;
* transcribe: ``asr_key`` in transcript.json (audio hash, engine, model, decoding options);
* chapter: ``chapters_key`` in ``.learncast/chapters/<slug>.json`` (transcript content,
  question set, scorer, and the corrections in ``chapters.edit.toml``);
* formats: ``.learncast/derived/<slug>.key``;
* publish: ``.learncast/media.json`` keys for the media; pages and feeds are written only
  when their text changed.

A renamed recording keeps its transcript: its new slug adopts a copy of the old slug's
folder when the audio is the same (the old folder stays until ``learncast prune --yes``).
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

from .errors import InputError, LearncastError, UsageError, as_error
from .stages import (STAGES, BuildReport, QuietReporter, RecordingResult, Reporter, Resources, plan,  # noqa: F401
                     process)
from .workspace import Workspace, check_outputs_writable, slugify, sweep_temp_files, workspace_lock

log = logging.getLogger(__name__)


def _duplicates(results: list[RecordingResult]) -> None:
    """Two files with the same audio would be one episode twice (one guid): fail the later ones."""
    first: dict[str, RecordingResult] = {}
    for r in results:
        if not r.ok or r.audio is None:
            continue
        other = first.setdefault(r.audio.sha256, r)
        if other is not r:
            r.fail(InputError(f"has the same audio as {other.path.name}", path=r.path,
                              fix="remove one of the two copies from media/"))


def _check(stages: Sequence[str], jobs: int) -> None:
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise UsageError(f"unknown stage {unknown[0]!r}", fix=f"use one of {', '.join(STAGES)}")
    if jobs < 1:
        raise UsageError("--jobs must be 1 or more", fix="use --jobs 1 to process one recording at a time")


def _refused(ws: Workspace, errors: list[InputError], reporter: Reporter) -> list[RecordingResult]:
    """A failed result for each file in media/ that is no recording (a bad sidecar, a clash)."""
    out = []
    for err in errors:
        slug = (slugify(err.path.stem) or err.path.name) if err.path else "?"
        out.append(RecordingResult(slug=slug, path=err.path or ws.media_dir, ok=False, error=err))
        reporter.finished(slug, False, err.one_line())
    return out


def _untranscribable(res: Resources, recordings: list) -> tuple[list, list[RecordingResult]]:
    """The recordings whose language the model cannot transcribe fail now, before their
    audio is decoded (only those with no transcript yet: one already made, or a person's,
    needs no model). The check is made again just before Whisper runs, for the others."""
    from .stages import orphans
    from .transcribe import TRANSCRIPT_NAME, check_spoken_language

    keep, failed = [], []
    for rec in recordings:
        try:
            if not (res.ws.transcript_dir(rec.slug) / TRANSCRIPT_NAME).exists():
                check_spoken_language(res.settings, rec, res.config)
            keep.append(rec)
        except InputError as exc:
            failed.append(RecordingResult(slug=rec.slug, path=rec.path, ok=False, error=exc))
    if failed and orphans(res.ws):  # a renamed recording may bring its transcript along
        return recordings, []
    for result in failed:
        res.reporter.finished(result.slug, False, result.message)
    return keep, failed


def _run_here(res: Resources, recordings: list, steps: list[str], publishing: bool) -> list[RecordingResult]:
    """One recording after another in this process. While Whisper runs, ffmpeg encodes the
    published media on a thread and the chapter scorer's model loads on another; only for
    recordings that need ASR, so a no-change rebuild starts neither."""
    from .parallel import MediaPrefetch

    planned = getattr(res.reporter, "planned", None)  # the CLI's overall progress bar
    if planned is not None:
        planned(len(recordings))
    with MediaPrefetch(res.ws, enabled=publishing) as prefetch:
        res.before_asr.append(lambda rec, audio: prefetch.start(audio))
        if "chapter" in steps:
            res.before_asr.append(lambda rec, audio: res.warm_scorer())
        return [process(res, rec, steps) for rec in recordings]


def _publish(res: Resources, results: list[RecordingResult]) -> list[str]:
    from .publish.episodes import PublishContext, publish_site

    ctx = PublishContext(ws=res.ws, questions=res.questions, now=res.now, require_reviewed=res.require_reviewed,
                         failed=lambda slug, message: res.reporter.finished(slug, False, message))
    return publish_site(ctx, [r for r in results if r.ok and r.transcript is not None])


def run(ws: Workspace, stages: Sequence[str] = STAGES, *, jobs: int = 1, scheduler: Any = None,
        **options: Any) -> BuildReport:
    """Run ``stages`` over every recording in the workspace.

    ``jobs`` > 1 processes recordings in parallel worker processes on this machine;
    ``scheduler`` (``tcp://host:8786``, or a dask Client) hands them to a Dask cluster instead.
    Settings that concern every recording (the question set, the output folders) are
    checked before any work, so a mistake there stops the build at once (exit 2).
    """
    from .migrate import migrate_workspace
    from .status import record_build

    _check(stages, jobs)
    report = BuildReport(site_dir=ws.site_dir, stages=tuple(stages))
    check_outputs_writable(ws, stages)
    failure: LearncastError | None = None
    with workspace_lock(ws):
        sweep_temp_files(ws)
        migrate_workspace(ws)
        res = Resources(ws, **options)
        if "chapter" in stages or "publish" in stages:
            _ = res.questions  # a broken question set stops the build before any work
        recordings, errors = ws.recordings()
        report.results += _refused(ws, errors, res.reporter)
        if "transcribe" in stages:
            recordings, failed = _untranscribable(res, recordings)
            report.results += failed
        steps = plan(stages)
        if scheduler:
            from .parallel import run_dask

            report.results += run_dask(ws, recordings, steps, scheduler, options)
        elif jobs > 1 and len(recordings) > 1:
            from .parallel import run_pool

            report.results += run_pool(ws, recordings, steps, jobs, options)
        else:
            report.results += _run_here(res, recordings, steps, "publish" in stages)
        _duplicates(report.results)
        if "publish" in stages:
            try:
                report.published = _publish(res, report.results)
            except (LearncastError, OSError) as exc:
                failure = as_error(exc, ws.site_dir)
        record_build(ws, report)
    if failure is not None:
        raise failure
    return report
