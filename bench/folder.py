"""A folder of recordings at once: both product engines as `learncast build` runs them.

    python -m bench.folder                    # the referenced clips in ../shared/realspeech
    python -m bench.folder --jobs 2 --out bench/work/folder.md

`bench.transcription` times one clip after another in one process. A capture team's build
of a folder is different: `learncast build` starts one worker process per core (``--jobs``,
default the core count) and shares the cores' threads among them, so several recordings
are transcribed at once. This runs the same clips that way for each engine:

* the clips are shared among ``--jobs`` worker processes, longest first to the worker with
  the least audio so far, each worker with ``cores // jobs`` threads (as the build does);
* every worker loads its model and warms up first, then all start together, and the
  time is from the first clip started to the last one finished;
* WER is pooled over every clip, as in `bench.transcription`.

The workers are `bench.transcription`'s own (``--worker ... --barrier``), so the engines,
options and measurements are the same as there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.transcription import (
    PRODUCT_ENGINES, REALSPEECH, ROOT, Clip, _loadavg, corpus_wer, machine_lines, prepare_clips, versus_openai,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.folder", description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: the cores)")
    parser.add_argument("--engine", action="append", choices=PRODUCT_ENGINES, help="default: both")
    parser.add_argument("--model", default="", help="model for every engine (default: the embedded tiny.en)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--realspeech", type=Path, default=REALSPEECH, help="folder of referenced clips")
    parser.add_argument("--out", type=Path, help="also write the markdown here")
    args = parser.parse_args(argv)
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    with tempfile.TemporaryDirectory(prefix="learncast-folder-") as tmp:
        work = Path(tmp)
        clips = prepare_clips(args.realspeech, work)
        if not clips:
            print(f"no referenced clips found in {args.realspeech}", file=sys.stderr)
            return 2
        runs = {name: run_folder(name, clips, work, args.jobs, threads, args) for name in args.engine or PRODUCT_ENGINES}
    text = report(clips, runs, args.jobs, threads, args)
    print(text)
    if args.out:
        from pipeline.fsutil import write_text

        write_text(args.out, text)
    return 0 if all("error" not in run for run in runs.values()) else 1


def share(clips: list[Clip], jobs: int) -> list[list[Clip]]:
    """Longest clip first, each to the worker with the least audio so far."""
    shares: list[list[Clip]] = [[] for _ in range(max(1, min(jobs, len(clips))))]
    for clip in sorted(clips, key=lambda c: -c.duration):
        min(shares, key=lambda s: sum(c.duration for c in s)).append(clip)
    return shares


def run_folder(engine: str, clips: list[Clip], work: Path, jobs: int, threads: int,
               args: argparse.Namespace) -> dict:
    """Run ``engine`` over the clips in ``jobs`` processes at once; return the merged figures."""
    warmup = min(clips, key=lambda c: c.duration)
    procs = []
    load_before = _loadavg()
    for i, part in enumerate(share(clips, jobs)):
        manifest = work / f"folder-{engine}-{i}.json"
        entries = [c.__dict__ | {"source": str(c.source)} for c in part]
        entries.append(warmup.__dict__ | {"source": str(warmup.source), "warmup_only": True})
        manifest.write_text(json.dumps(entries), encoding="utf-8")
        log = (work / f"folder-{engine}-{i}.log").open("w", encoding="utf-8")  # not a pipe: it cannot fill up
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "bench.transcription", "--worker", engine, "--manifest", str(manifest),
             "--threads", str(threads), "--device", args.device, "--model", args.model, "--barrier"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True))
    try:
        for proc in procs:  # every model loaded and warmed up ...
            line = proc.stdout.readline() if proc.stdout else ""
            if line.strip() != "ready":
                raise RuntimeError(f"a worker did not start: {line.strip() or 'no output'}")
        for proc in procs:  # ... then all start together
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, _ = proc.communicate()
            last = out.strip().splitlines()[-1] if out.strip() else ""
            if proc.returncode != 0 or not last.startswith("{"):
                raise RuntimeError(f"a worker failed (exit code {proc.returncode})")
            results.append(json.loads(last))
    except RuntimeError as exc:
        for proc in procs:
            proc.kill()
        logs = " / ".join((work / f"folder-{engine}-{i}.log").read_text(encoding="utf-8")[-300:]
                          for i in range(len(procs)))
        print(f"{engine}: {exc}: {logs}", file=sys.stderr)
        return {"engine": engine, "error": str(exc)}
    rows = {row["name"]: row for result in results for row in result["rows"]}
    wall = max(r["ended_at"] for r in results) - min(r["started_at"] for r in results)
    print(f"{engine}: {len(clips)} clips in {len(procs)} workers, {wall:.1f} s", file=sys.stderr)
    return {"engine": engine, "workers": len(procs), "wall": wall, "rows": [rows[c.name] for c in clips],
            "cpu": sum(r["cpu_seconds"] for r in rows.values()),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "load_before": load_before, "load_after": _loadavg()}


def report(clips: list[Clip], runs: dict[str, dict], jobs: int, threads: int, args: argparse.Namespace) -> str:
    audio_s = sum(c.duration for c in clips)
    lines = [
        f"### A folder of recordings at once: {', '.join(runs)} ({dt.date.today().isoformat()})", "",
        machine_lines(argparse.Namespace(threads=threads, device=args.device)), "",
        f"The same {len(clips)} clips ({audio_s:.1f} s) shared among {jobs} worker process(es) with {threads} "
        "thread(s) each, as `learncast build` shares a folder (`--jobs` = the cores); all workers start "
        "together after loading and warming up; time from the first clip started to the last one finished.",
        "",
        "| engine | workers × threads | WER | wall s | × real time | CPU s | peak RSS MB (largest worker) "
        "| load avg before → after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    speeds: dict[str, float] = {}
    wers: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for name, run in runs.items():
        if "error" in run:
            lines.append(f"| {name} | not run: {run['error']} | – | – | – | – | – | – |")
            continue
        wer, _ = corpus_wer([c.reference for c in clips], [r["text"] for r in run["rows"]])
        speeds[name], wers[name], cpus[name] = audio_s / run["wall"], wer, run["cpu"]
        lines.append(f"| {name} | {run['workers']} × {threads} | {wer:.1%} | {run['wall']:.1f} | "
                     f"{audio_s / run['wall']:.1f}× | {run['cpu']:.1f} | {run['peak_rss_mb']:.0f} | "
                     f"{run['load_before']} → {run['load_after']} |")
    lines += versus_openai(speeds, wers, cpus, "a folder of these clips")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
