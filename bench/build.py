"""Build benchmarks: a long interview end to end, media encoding, throughput, site scaling.

    python -m bench.build long [--minutes 60]             # one interview, every stage, timed per stage
    python -m bench.build media [--minutes 15]            # loudness + MP3/MP4 encoding, time and levels
    python -m bench.build throughput [--sizes 1,10,50]    # --jobs 1 vs --jobs N vs Dask (2 local workers)
    python -m bench.build scaling [--sizes 10,100,1000]   # pages, feed and search index, no ASR

Each prints its figures as one JSON line at the end of stdout (``bench/run.py`` runs
them in fresh processes and turns them into ``bench/RESULTS.md`` with :func:`markdown`).
Every section measures the current code; figures for past code live in
``bench/RESULTS.md`` (and its history).

The recordings are made from ``media/sample-interview.mp4`` (two espeak-ng voices and a
title card): the long one by looping it with a stream copy; the short ones are cuts at
different offsets (so no two have the same audio), alternately MP4 (re-encoded H.264)
and MP3. Times are wall-clock seconds on this machine with the default engine and the
embedded tiny.en model; other work on the machine slows them, so the load average is
recorded with every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "media" / "sample-interview.mp4"
TRANSCRIPTS = ROOT / "bench" / "work" / "transcripts"  # real labelled transcripts (bench/chapters.py)
TARGET_LONG_SECONDS = 360.0  # a 60-minute interview, every stage, on this 2-core machine
TARGET_NON_ASR_SHARE = 0.10
TARGET_SITE_SECONDS = 60.0  # 1,000 episodes, no ASR
TARGET_LUFS, TARGET_LUFS_TOLERANCE, TARGET_PEAK_DBTP = -16.0, 1.0, -1.0  # the published loudness


# ---------------------------------------------------------------- shared helpers


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def cpu_seconds() -> float:
    """CPU time of this process and every child it has waited for (ffmpeg, Pagefind, workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def ffmpeg(*args: str) -> None:
    from pipeline.ffmpeg import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", *args], check=True)


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file's first audio stream, by ffmpeg's R128 meter."""
    from pipeline.ffmpeg import ffmpeg_exe

    err = subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
                          "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1)))


def make_long(dest: Path, minutes: float) -> Path:
    """The sample interview looped (stream copy) to ``minutes``: an MP4 with H.264 and AAC."""
    ffmpeg("-stream_loop", "-1", "-i", str(SAMPLE), "-t", f"{minutes * 60:.3f}", "-c", "copy", str(dest))
    return dest


def make_clips(folder: Path, count: int, seconds: float) -> list[Path]:
    """``count`` cuts of the sample, each at its own offset; even ones MP4, odd ones MP3."""
    from pipeline.ffmpeg import probe

    folder.mkdir(parents=True, exist_ok=True)
    span = probe(SAMPLE).duration - seconds
    clips = []
    for i in range(count):
        offset = (i * 7.3) % span  # 7.3 s steps never repeat an offset within 50 clips
        video = i % 2 == 0
        dest = folder / f"talk-{i:03d}.{'mp4' if video else 'mp3'}"
        if not dest.is_file():
            codec = (["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k"]
                     if video else ["-vn", "-c:a", "libmp3lame", "-b:a", "64k"])
            ffmpeg("-ss", f"{offset:.2f}", "-t", f"{seconds:.2f}", "-i", str(SAMPLE), *codec, str(dest))
        clips.append(dest)
    return clips


def new_workspace(parent: Path, media: list[Path]):
    """A fresh workspace whose media/ holds hard links (or copies) of ``media``."""
    from pipeline.workspace import Workspace, init_workspace

    root = parent / "ws"
    init_workspace(root, "Benchmark Show")
    for src in media:
        dest = root / "media" / src.name
        try:
            os.link(src, dest)
        except OSError:
            shutil.copy2(src, dest)
    return Workspace.open(root)


class Timeline:
    """Records when instrumented functions ran (they may overlap: media encodes in a thread)."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float]] = []

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spans.append((name, began, time.perf_counter()))

        setattr(owner, attr, wrapper)

    def install(self) -> None:
        import pipeline.ingest
        import pipeline.pages
        import pipeline.pages.search
        import pipeline.publish.episodes
        import pipeline.publish.feed
        import pipeline.publish.media
        import pipeline.stages
        import pipeline.transcribe
        import pipeline.transcribe.engines

        for owner, attr, name in (
            (pipeline.ingest, "ingest", "ingest (decode to 16 kHz)"),
            (pipeline.transcribe.engines, "get_engine", "model load"),
            (pipeline.transcribe, "run_engine", "ASR (Whisper)"),
            (pipeline.transcribe, "label_speakers", "speaker labels"),
            (pipeline.stages, "chapter_step", "chapters + transcript formats"),
            (pipeline.publish.media, "prepare_media", "media encode (ffmpeg)"),
            (pipeline.publish.media, "encode_audio", "publish: MP3 into site/"),
            (pipeline.publish.media, "encode_video", "publish: MP4 into site/ (+chapters)"),
            (pipeline.publish.media, "tag_mp3", "publish: ID3 tags"),
            (pipeline.publish.feed, "write_feeds", "publish: feeds"),
            (pipeline.pages, "render_site", "publish: pages"),
            (pipeline.pages.search, "build_search_index", "publish: search index"),
            (pipeline.publish.episodes, "publish_site", "publish stage (all)"),
        ):
            self.wrap(owner, attr, name)

    def busy(self, name: str) -> float:
        """Seconds during which ``name`` was running (overlapping calls counted once)."""
        spans = sorted((s, e) for n, s, e in self.spans if n == name)
        total, end = 0.0, -math.inf
        for s, e in spans:
            if e > end:
                total += e - max(s, end)
                end = e
        return total

    def names(self) -> list[str]:
        return list(dict.fromkeys(n for n, _, _ in sorted(self.spans, key=lambda x: x[1])))


def emit(section: str, data: dict[str, Any]) -> None:
    data = {"section": section, "date": dt.datetime.now().isoformat(timespec="seconds"), **data}
    print(json.dumps(data))


# ---------------------------------------------------------------- long: one interview, every stage


def long_build(minutes: float, jobs: int) -> dict[str, Any]:
    from pipeline import build

    with tempfile.TemporaryDirectory(prefix="learncast-long-") as tmp:
        src = make_long(Path(tmp) / "long-interview.mp4", minutes)
        ws = new_workspace(Path(tmp), [src])
        timeline = Timeline()
        timeline.install()
        load_before, cpu0, began = loadavg(), cpu_seconds(), time.perf_counter()
        report = build.run(ws, build.STAGES, jobs=jobs)
        total = time.perf_counter() - began
        cpu = cpu_seconds() - cpu0
        failed = [r.message for r in report.failed]
        mp3 = ws.episode_dir("long-interview") / "audio.mp3"
        mp4 = ws.episode_dir("long-interview") / "video.mp4"
        levels = {"mp3": loudness(mp3) if mp3.is_file() else None,
                  "mp4": loudness(mp4) if mp4.is_file() else None}
        audio_s = report.results[0].audio.duration if report.results and report.results[0].audio else minutes * 60
    stages = {name: timeline.busy(name) for name in timeline.names()}
    asr = stages.get("ASR (Whisper)", 0.0)
    return {"minutes": audio_s / 60, "jobs": jobs, "total_s": total, "cpu_s": cpu, "asr_s": asr,
            "non_asr_s": total - asr, "stages": stages, "failed": failed, "loudness": levels,
            "load_before": load_before, "load_after": loadavg()}


# ---------------------------------------------------------------- media: loudness and encoding


def media_encode(minutes: float) -> dict[str, Any]:
    """The published MP3 and MP4 of one excerpt, as the build makes them, timed, with their loudness."""
    from pipeline.models import Chapter
    from pipeline.publish import media

    chapters = [Chapter(0.0, 30.0, "intro", "Introduction"), Chapter(30.0, minutes * 60, "rules", "Rules")]
    with tempfile.TemporaryDirectory(prefix="learncast-media-") as tmp:
        src = make_long(Path(tmp) / "excerpt.mp4", minutes)
        out = Path(tmp) / "current"
        load, cpu0, began = loadavg(), cpu_seconds(), time.perf_counter()
        # the build's path: one run for both files, then copy and remux
        media.encode_audio(src, out / "audio.mp3", channels=1, cache_dir=out / "cache")
        media.encode_video(src, out / "video.mp4", chapters, cache_dir=out / "cache")
        wall, cpu = time.perf_counter() - began, cpu_seconds() - cpu0
        row = {"wall_s": wall, "cpu_s": cpu, "load_before": load, "load_after": loadavg(),
               "mp3": loudness(out / "audio.mp3"), "mp4": loudness(out / "video.mp4")}
    return {"minutes": minutes, "rows": {"current": row}}


# ---------------------------------------------------------------- throughput: jobs and Dask


def throughput(sizes: list[int], seconds: float, modes: list[str], repeat: int = 1,
               repeat_up_to: int = 10) -> dict[str, Any]:
    """Build the first N clips in each mode; sizes up to ``repeat_up_to`` are built ``repeat``
    times (modes interleaved, so a burst of other load hits them alike) and the median kept."""
    from pipeline import build

    jobs_n = os.cpu_count() or 1
    runs: dict[tuple[int, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="learncast-throughput-") as tmp:
        clips = make_clips(Path(tmp) / "clips", max(sizes), seconds)
        cluster = client = None
        try:
            if "dask" in modes:
                from distributed import Client, LocalCluster

                cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
                client = Client(cluster)
            for size in sizes:
                for _ in range(repeat if size <= repeat_up_to else 1):
                    for mode in modes:
                        if mode == "dask":
                            client.restart()  # fresh workers: each loads the model in the timed build
                        options: dict[str, Any] = ({"scheduler": client} if mode == "dask"
                                                   else {"jobs": 1 if mode == "serial" else jobs_n})
                        ws = new_workspace(Path(tmp) / f"{mode}-{size}", clips[:size])
                        load, began = loadavg(), time.perf_counter()
                        report = build.run(ws, build.STAGES, **options)
                        wall = time.perf_counter() - began
                        audio = sum(r.audio.duration for r in report.results if r.audio is not None)
                        runs.setdefault((size, mode), []).append({
                            "wall_s": wall, "audio_s": audio, "failed": [r.message for r in report.failed],
                            "published": len(report.published), "load_before": load, "load_after": loadavg()})
                        print(f"{size:>3} {mode:<6} {wall:7.1f} s", file=sys.stderr)
                        shutil.rmtree(ws.root, ignore_errors=True)
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
    rows = []
    for (size, mode), got in runs.items():
        walls = [g["wall_s"] for g in got]
        rows.append({**got[0], "size": size, "mode": mode, "label": _mode_label(mode, jobs_n),
                     "wall_s": statistics.median(walls), "walls": walls,
                     "failed": sorted({m for g in got for m in g["failed"]}), "load_after": got[-1]["load_after"]})
    return {"seconds": seconds, "jobs_n": jobs_n, "rows": rows}


def _mode_label(mode: str, jobs_n: int) -> str:
    return {"serial": "--jobs 1", "jobs": f"--jobs {jobs_n}", "dask": "Dask, 2 local workers × 1 thread"}[mode]


# ---------------------------------------------------------------- scaling: the site, no ASR


def _base_transcripts() -> list:
    from pipeline.models import Transcript

    paths = sorted(TRANSCRIPTS.glob("eval-*.json")) + sorted(TRANSCRIPTS.glob("sample-interview.json"))
    if not paths:
        raise SystemExit(f"no transcripts in {TRANSCRIPTS}: run `python -m bench.chapters` once first")
    return [Transcript.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in paths]


def _joined(parts: list, minutes: float, rotation: int):
    """One interview-length transcript: the real ones end to end, starting at ``rotation``."""
    import dataclasses

    segments, offset, i = [], 0.0, rotation
    while offset < minutes * 60:
        t = parts[i % len(parts)]
        for s in t.segments:
            segments.append(dataclasses.replace(
                s, start=s.start + offset, end=s.end + offset,
                words=tuple(dataclasses.replace(w, start=w.start + offset, end=w.end + offset) for w in s.words)))
        offset += t.duration
        i += 1
    return dataclasses.replace(parts[0], segments=tuple(segments), duration=offset, chapters=())


@functools.lru_cache(maxsize=4)
def _variants(minutes: float, questions_path: Path | None) -> tuple[list, float]:
    """One chaptered transcript per starting rotation (made once; chaptering is not timed here)."""
    from pipeline.chapters import chapter_transcript, load_questions

    questions = load_questions(questions_path)
    parts = _base_transcripts()
    variants = []
    began = time.perf_counter()
    for rotation in range(len(parts)):
        t = _joined(parts, minutes, rotation)
        variants.append(t.with_chapters(chapter_transcript(t, questions)))
    return variants, time.perf_counter() - began


def _episodes(ws, count: int, minutes: float) -> tuple[list, float, int]:
    """``count`` Episodes with chaptered transcripts; media files are stand-ins (not written)."""
    from pipeline.models import Episode, MediaFile, Recording, RecordingMeta

    config = ws.config
    variants, chapter_s = _variants(minutes, config.questions)
    first = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
    episodes = []
    for i in range(count):
        slug = f"episode-{i:04d}"
        t = variants[i % len(variants)]
        rec = Recording(path=ws.media_dir / f"{slug}.mp3", slug=slug,
                        meta=RecordingMeta(title=f"Interview {i + 1}", interviewee=f"Practitioner {i + 1}"))
        mp3_bytes = int(t.duration * 8000)  # 64 kbps
        episodes.append(Episode(
            slug=slug, guid=f"bench-{i:04d}", title=rec.meta.title, recording=rec, transcript=t,
            pub_date=first + dt.timedelta(days=i),
            audio=MediaFile(path=ws.episode_dir(slug) / "audio.mp3", url=config.url("episodes", slug, "audio.mp3"),
                            mime_type="audio/mpeg", length=mp3_bytes),
            page_url=config.url("episodes", slug) + "/",
            files={kind: config.url("episodes", slug, name) for kind, name in _downloads().items()}))
    return episodes, chapter_s, sum(len(s.words) for s in variants[0].segments)


def _downloads() -> dict[str, str]:
    from pipeline.formats import CHAPTERS_NAME, FILE_NAMES

    return {("json" if kind == "p20" else kind): name for kind, name in {**FILE_NAMES, "chapters": CHAPTERS_NAME}.items()}


def _write_downloads(ws, episodes: list) -> None:
    """The transcript formats beside each page, with the functions the publish stage uses."""
    from pipeline.formats import CHAPTERS_NAME, FILE_NAMES, chapters_text, render_all
    from pipeline.fsutil import write_text_if_changed

    for ep in episodes:
        out = ws.episode_dir(ep.slug)
        for kind, text in render_all(ep.transcript).items():  # one caption layout for the VTT and the SRT
            write_text_if_changed(out / FILE_NAMES[kind], text)
        write_text_if_changed(out / CHAPTERS_NAME, chapters_text(ep.transcript, ep.page_url))


def _du(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def scaling(sizes: list[int], minutes: float, repeat: int = 1, repeat_up_to: int = 100) -> dict[str, Any]:
    """Write the site for each size into a fresh workspace; sizes up to ``repeat_up_to``
    ``repeat`` times, keeping the run with the median total."""
    rows = []
    for size in sizes:
        got = [_site_once(size, minutes) for _ in range(repeat if size <= repeat_up_to else 1)]
        got.sort(key=lambda r: r["total_s"])
        rows.append({**got[len(got) // 2], "totals": [r["total_s"] for r in got]})
    return {"rows": rows}


def _site_once(size: int, minutes: float) -> dict[str, Any]:
    from pipeline.chapters import load_questions
    from pipeline.pages import render_site
    from pipeline.pages.search import build_search_index
    from pipeline.publish.feed import write_feeds

    with tempfile.TemporaryDirectory(prefix="learncast-scaling-") as tmp:
        ws = new_workspace(Path(tmp), [])
        episodes, chapter_s, words = _episodes(ws, size, minutes)
        questions = load_questions(ws.config.questions)
        site = ws.site_dir
        load, timings, cpu = loadavg(), {}, {}
        began, cpu_began = time.perf_counter(), cpu_seconds()
        for name, run in (("downloads", lambda: _write_downloads(ws, episodes)),
                          ("feeds", lambda: write_feeds(ws.config, site, episodes)),
                          ("pages", lambda: render_site(ws.config, site, episodes, questions, workspace_root=ws.root)),
                          ("search index", lambda: build_search_index(site))):
            t0, c0 = time.perf_counter(), cpu_seconds()
            run()
            timings[name] = time.perf_counter() - t0
            cpu[name] = cpu_seconds() - c0  # CPU time (Pagefind's too): steadier than wall time under load
        total, total_cpu = time.perf_counter() - began, cpu_seconds() - cpu_began
        size_bytes, files = _du(site)
        feed = (site / "feed.xml").stat().st_size
        items = (site / "feed.xml").read_text(encoding="utf-8").count("<item>")
        pages = sorted(site.glob("feed*.xml"))  # feed.xml and its archive pages feed-2.xml, ...
        pages_bytes = sum(p.stat().st_size for p in pages)
        pages_items = sum(p.read_text(encoding="utf-8").count("<item>") for p in pages)
    print(f"{size:>5} episodes: {total:6.1f} s, {size_bytes / 1e6:7.1f} MB, feed.xml {feed / 1e3:.0f} kB "
          f"({items} items; {len(pages)} pages, {pages_bytes / 1e3:.0f} kB in all)", file=sys.stderr)
    return {"episodes": size, "total_s": total, "timings": timings, "cpu_s": total_cpu, "cpu": cpu,
            "site_bytes": size_bytes, "files": files,
            "feed_bytes": feed, "feed_items": items, "feed_pages": len(pages), "feed_pages_bytes": pages_bytes,
            "feed_pages_items": pages_items, "feed_limit": getattr(ws.config, "feed_limit", None),
            "feed_max_kb": getattr(ws.config, "feed_max_kb", None),
            "minutes_per_episode": episodes[0].transcript.duration / 60,
            "words_per_episode": words, "chaptering_s_per_variant": chapter_s / len(_base_transcripts()),
            "load_before": load, "load_after": loadavg()}


# ---------------------------------------------------------------- markdown


def markdown(section: str, data: dict[str, Any]) -> str:
    return {"long": _md_long, "media": _md_media, "throughput": _md_throughput, "scaling": _md_scaling}[section](data)


def _verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def _md_long(d: dict[str, Any]) -> str:
    total, asr, non = d["total_s"], d["asr_s"], d["non_asr_s"]
    lines = [f"One {d['minutes']:.1f}-minute interview (MP4: H.264 title card + AAC, two voices), every stage "
             f"(`build.run`, --jobs {d['jobs']}), fresh workspace. Load average {d['load_before']} → {d['load_after']}.",
             "",
             "| | seconds | share of the build |", "|---|---|---|",
             f"| **whole build** | **{total:.0f}** | 100% |",
             f"| ASR (Whisper, in `run_engine`) | {asr:.0f} | {asr / total:.0%} |",
             f"| everything else (build − ASR) | {non:.0f} | {non / total:.0%} |"]
    for name, secs in d["stages"].items():
        if name != "ASR (Whisper)":
            lines.append(f"| · {name} | {secs:.1f} | {secs / total:.1%} |")
    lines += ["", f"CPU time (this process and its children): {d['cpu_s']:.0f} s over {total:.0f} s of wall time. "
              "Stages marked media encode run on a thread beside ASR, so they overlap it; the rows under "
              "“everything else” are each stage's own wall time and may overlap each other."]
    for kind, lv in d["loudness"].items():
        if lv:
            lines.append(f"Published {kind.upper()}: {lv[0]:.1f} LUFS, {lv[1]:.1f} dBTP (target −16 ± 1, ≤ −1).")
    lines += ["", f"Targets: whole build ≤ {TARGET_LONG_SECONDS / 60:.0f} min: {_verdict(total <= TARGET_LONG_SECONDS)}"
              f" ({total / 60:.1f} min); not-ASR ≤ {TARGET_NON_ASR_SHARE:.0%}: "
              f"{_verdict(non / total <= TARGET_NON_ASR_SHARE)} ({non / total:.1%})."]
    if d["failed"]:
        lines.append(f"Failures: {'; '.join(d['failed'])}")
    return "\n".join(lines)


def _md_media(d: dict[str, Any]) -> str:
    r = d["rows"]["current"]
    per_hour = r["wall_s"] * 60 / d["minutes"]
    lines = [f"Loudness processing and encoding of one {d['minutes']:.0f}-minute excerpt of the looped interview "
             "into the published MP3 and MP4 by the current code (R128 meter, 48 kHz limiter, one encoding run "
             "for both files).", "",
             "| code | wall s | CPU s | per hour of audio (wall) | MP3 LUFS / dBTP | MP4 LUFS / dBTP | load avg |",
             "|---|---|---|---|---|---|---|",
             f"| current | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {per_hour / 60:.1f} min | "
             f"{r['mp3'][0]:.1f} / {r['mp3'][1]:.1f} | {r['mp4'][0]:.1f} / {r['mp4'][1]:.1f} | "
             f"{r['load_before']} → {r['load_after']} |", ""]
    for kind in ("mp3", "mp4"):
        lufs, peak = r[kind]
        ok = abs(lufs - TARGET_LUFS) <= TARGET_LUFS_TOLERANCE and peak <= TARGET_PEAK_DBTP
        lines.append(f"Published {kind.upper()} at {TARGET_LUFS:.0f} ± {TARGET_LUFS_TOLERANCE:.0f} LUFS, "
                     f"≤ {TARGET_PEAK_DBTP:.0f} dBTP: {_verdict(ok)} ({lufs:.1f} LUFS, {peak:.1f} dBTP).")
    return "\n".join(lines)


def _md_throughput(d: dict[str, Any]) -> str:
    rows = sorted(d["rows"], key=lambda r: (r["size"], ["serial", "jobs", "dask"].index(r["mode"])))
    lines = [f"Every stage for 1, 10 and 50 short recordings ({d['seconds']:.0f} s cuts of the sample interview, "
             "half MP4, half MP3), each build in a fresh workspace, the modes interleaved. Dask workers are "
             "restarted before each build, so they load the model inside the timed build as the --jobs "
             "workers do. With one recording --jobs N runs as --jobs 1 (nothing to share).", "",
             "| recordings | mode | wall s (median of n) | recordings/min | × real time | speed-up vs --jobs 1 | failed | load avg |",
             "|---|---|---|---|---|---|---|---|"]
    serial = {r["size"]: r["wall_s"] for r in rows if r["mode"] == "serial"}
    for r in rows:
        ratio = f"{serial[r['size']] / r['wall_s']:.2f}×" if r["size"] in serial else "–"
        lines.append(f"| {r['size']} | {r['label']} | {r['wall_s']:.1f} (n={len(r['walls'])}) | "
                     f"{r['size'] * 60 / r['wall_s']:.1f} | {r['audio_s'] / r['wall_s']:.1f}× | {ratio} | "
                     f"{len(r['failed'])} | {r['load_before']} → {r['load_after']} |")
    return "\n".join(lines)


def _md_scaling(d: dict[str, Any]) -> str:
    rows = d["rows"]
    r0 = rows[0]
    lines = [f"The site alone (no ASR, no media encoding or ID3 tagging): each episode a "
             f"{r0['minutes_per_episode']:.0f}-minute transcript (real transcripts of the evaluation interviews "
             f"end to end, ≈{r0['words_per_episode']} words, chaptered beforehand), written as the publish stage "
             "writes it: transcript downloads, `feed.xml`, the pages (`render_site`) and the Pagefind index.", "",
             "| episodes | total s (median of n) | CPU s | downloads s | feeds s | pages s | search index s | s per episode | site MB | files | feed.xml kB (items) | feed pages (kB in all) | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        t = r["timings"]
        pages = (f"{r['feed_pages']} ({r['feed_pages_bytes'] / 1e3:.0f})" if "feed_pages" in r else "–")
        cpu_s = f"{r['cpu_s']:.1f}" if "cpu_s" in r else "–"
        lines.append(f"| {r['episodes']} | {r['total_s']:.1f} (n={len(r['totals'])}) | {cpu_s} | {t['downloads']:.1f} | {t['feeds']:.1f} | "
                     f"{t['pages']:.1f} | {t['search index']:.1f} | {r['total_s'] / r['episodes']:.3f} | "
                     f"{r['site_bytes'] / 1e6:.1f} | {r['files']} | {r['feed_bytes'] / 1e3:.0f} ({r['feed_items']}) | "
                     f"{pages} | {r['load_before']} → {r['load_after']} |")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        growth = (b["total_s"] / a["total_s"]) / (b["episodes"] / a["episodes"])
        lines += ["", f"From {a['episodes']} to {b['episodes']} episodes the time grows "
                      f"{b['total_s'] / a['total_s']:.0f}× for {b['episodes'] / a['episodes']:.0f}× the episodes "
                      f"(1.0 = linear; measured {growth:.2f})."]
    big = [r for r in rows if r["episodes"] >= 1000]
    if big:
        lines.append(f"1,000 episodes in ≤ {TARGET_SITE_SECONDS:.0f} s: "
                     f"{_verdict(big[0]['total_s'] <= TARGET_SITE_SECONDS)} ({big[0]['total_s']:.1f} s).")
    if rows and rows[-1].get("feed_max_kb") is not None:
        r = rows[-1]
        limit = r["feed_max_kb"] * 1000
        lines.append(f"Feed limits (`feed_limit` {r['feed_limit']}, `feed_max_kb` {r['feed_max_kb']}): at "
                     f"{r['episodes']} episodes `feed.xml` is {r['feed_bytes'] / 1e3:.0f} kB with the newest "
                     f"{r['feed_items']} episodes, "
                     + ("within the limit; " if not limit or r['feed_bytes'] <= limit else "**over the limit**; ")
                     + f"{r['feed_pages']} pages hold all {r['feed_pages_items']} episodes.")
    return "\n".join(lines)


# ---------------------------------------------------------------- command line


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="section", required=True)
    p = sub.add_parser("long", help="one long interview, every stage")
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p = sub.add_parser("media", help="loudness and encoding of the published MP3 and MP4")
    p.add_argument("--minutes", type=float, default=15.0)
    p = sub.add_parser("throughput", help="--jobs 1, --jobs N and Dask")
    p.add_argument("--sizes", type=_ints, default=[1, 10, 50])
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--modes", type=lambda s: s.split(","), default=["serial", "jobs", "dask"])
    p.add_argument("--repeat", type=int, default=1, help="builds per size and mode (median kept)")
    p.add_argument("--repeat-up-to", type=int, default=10, help="repeat only sizes up to this")
    p = sub.add_parser("scaling", help="site build time and size, no ASR")
    p.add_argument("--sizes", type=_ints, default=[10, 100, 1000])
    p.add_argument("--minutes", type=float, default=30.0, help="transcript length per episode")
    p.add_argument("--repeat", type=int, default=1, help="site builds per size (median kept)")
    p.add_argument("--repeat-up-to", type=int, default=100, help="repeat only sizes up to this")
    parser.add_argument("--markdown", action="store_true", help="print the markdown table too (to stderr)")
    args = parser.parse_args(argv)

    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "long": lambda: long_build(args.minutes, args.jobs),
        "media": lambda: media_encode(args.minutes),
        "throughput": lambda: throughput(args.sizes, args.seconds, args.modes, args.repeat, args.repeat_up_to),
        "scaling": lambda: scaling(args.sizes, args.minutes, args.repeat, args.repeat_up_to),
    }
    data = runners[args.section]()
    if args.markdown:
        print(markdown(args.section, data), file=sys.stderr)
    emit(args.section, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
