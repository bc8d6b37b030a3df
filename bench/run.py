"""Every benchmark in one command, written up as ``bench/RESULTS.md``.

    .venv/bin/python -m bench.run            # the full run (about half an hour on 2 cores)
    .venv/bin/python -m bench.run --quick    # small sizes, a few minutes: for development
    .venv/bin/python -m bench.run --only long,scaling

Each section runs in its own Python process (so one section's memory, threads and
loaded models never touch the next one's figures) and in this order:

* ``transcription`` – ``bench/transcription.py``: faster-whisper against openai-whisper
  on ``../shared/realspeech`` and a generated 60-minute recording (speed, WER, memory);
* ``chapters`` – ``bench/chapters.py``: chaptering quality and speed;
* ``long`` – one 60-minute interview built with every stage, time per stage;
* ``media`` – loudness processing and encoding, the old code against the new;
* ``throughput`` – 1, 10 and 50 recordings with --jobs 1, --jobs N and Dask;
* ``scaling`` – the site for 10, 100 and 1,000 episodes without ASR;
* ``rebuild`` – ``bench/rebuild.py``: a no-change rebuild of 100 episodes.
* ``studio`` – ``bench/studio.py``: a 90-minute transcript in the studio, in Chromium
  (open and play, saves, typing).

A section that fails or runs out of time is reported as such in RESULTS.md and the
others still run. The machine (CPU model, cores, memory), the date, the package
versions and the load average before and after each section head the file: other
work on the machine slows every figure, and the load average says how much there was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "RESULTS.md"
CHAPTERS_REPORT = ROOT / "bench" / "work" / "chapters.md"
PACKAGES = ("faster-whisper", "ctranslate2", "openai-whisper", "torch", "numpy", "dask", "distributed",
            "jinja2", "feedgen", "pagefind", "jiwer")
ORDER = ("transcription", "folder", "speakers", "chapters", "long", "media", "throughput", "scaling", "rebuild", "studio")
TITLES = {
    "transcription": "Transcription engines",
    "folder": "Transcription engines: a folder at once, as a build runs them",
    "speakers": "Speaker turns on real recordings",
    "chapters": "Chaptering",
    "long": "A 60-minute interview, every stage",
    "media": "Publishing media: before and after",
    "throughput": "Build throughput: --jobs and Dask",
    "scaling": "Site scaling without ASR",
    "rebuild": "No-change rebuild",
    "studio": "Studio",
}


@dataclass
class Section:
    name: str
    command: list[str]
    timeout: float
    json_out: Path | None = None  # where the section writes its figures, when not stdout
    ok: bool = False
    seconds: float = 0.0
    load_before: str = ""
    load_after: str = ""
    data: Any = None
    text: str = ""
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def plan(quick: bool, work: Path) -> dict[str, Section]:
    """The command for every section, full or quick."""
    py = [sys.executable, "-m"]
    build = [*py, "bench.build"]
    sections = [
        Section("transcription", [*py, "bench.transcription", "--out", str(work / "transcription.md")]
                + ([] if quick else ["--long", "--long-engine", "faster-whisper", "--long-engine", "openai-whisper",
                                     "--long-engine", "faster-whisper-batch8"]), timeout=3000),
        Section("folder", [*py, "bench.folder", "--out", str(work / "folder.md")], timeout=900),
        Section("speakers", [*py, "bench.speakers", "--out", str(work / "speakers.md")], timeout=600),
        Section("diarizers", [*py, "bench.diarizers", "--out", str(work / "diarizers.md")]
                + ([] if quick else ["--hour"]), timeout=1800),
        Section("chapters", [*py, "bench.chapters"] + (["--no-real"] if quick else []), timeout=1200),
        Section("long", [*build, "long", "--minutes", "5" if quick else "60"], timeout=1500),
        Section("media", [*build, "media", "--minutes", "2" if quick else "10"], timeout=1200),
        Section("throughput", [*build, "throughput"] + (
            ["--sizes", "1,4", "--seconds", "10"] if quick else
            ["--sizes", "1,10,50", "--seconds", "20", "--repeat", "3", "--repeat-up-to", "1"]), timeout=2400),
        Section("scaling", [*build, "scaling"] + (
            ["--sizes", "10,100", "--repeat", "3"] if quick else
            ["--sizes", "10,100,1000", "--repeat", "3", "--repeat-up-to", "100"]), timeout=1200),
        Section("rebuild", [*py, "bench.rebuild", "--no-profile", "--out", str(work / "rebuild.json"),
                            "--episodes", "20" if quick else "100"], timeout=900, json_out=work / "rebuild.json"),
        Section("studio", [*py, "bench.studio", "--markdown"]
                + (["--minutes", "10", "--runs", "1", "--saves", "20", "--page-saves", "5"] if quick else []), timeout=1200),
    ]
    return {s.name: s for s in sections}


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def run_section(section: Section, work: Path) -> None:
    """Run one section's process; keep its figures (JSON) or its report (markdown)."""
    if section.name == "rebuild" and not (ROOT / "bench" / "rebuild.py").is_file():
        section.error = "bench/rebuild.py is not in this tree"
        return
    log = work / f"{section.name}.log"
    print(f"== {section.name}: {' '.join(section.command[1:])}", file=sys.stderr, flush=True)
    section.load_before = loadavg()
    began = time.perf_counter()
    try:
        with log.open("w", encoding="utf-8") as err:
            proc = subprocess.run(section.command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True,
                                  timeout=section.timeout, check=False)
    except subprocess.TimeoutExpired:
        section.error = f"stopped after {section.timeout:.0f} s (the section's time limit)"
        return
    finally:
        section.seconds = time.perf_counter() - began
        section.load_after = loadavg()
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
    if section.name == "rebuild":  # exits 1 when its own target is missed; the JSON still tells
        if section.json_out and section.json_out.is_file():
            section.data, section.ok = json.loads(section.json_out.read_text(encoding="utf-8")), True
        else:
            section.error = f"exit {proc.returncode}: {' | '.join(tail)}"
        return
    if proc.returncode != 0:
        section.error = f"exit {proc.returncode}: {' | '.join(tail)}"
        return
    section.ok = True
    if section.name in ("transcription", "folder", "speakers"):
        section.text = (work / f"{section.name}.md").read_text(encoding="utf-8")
    elif section.name == "studio":
        section.text = proc.stdout
    elif section.name == "chapters":
        section.text = CHAPTERS_REPORT.read_text(encoding="utf-8") if CHAPTERS_REPORT.is_file() else proc.stdout
    else:
        section.data = json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the write-up


def machine() -> list[str]:
    cpu, ram = "unknown CPU", "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip() or "?"
    versions = []
    for pkg in PACKAGES:
        try:
            versions.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{pkg} (not installed)")
    from pipeline.ffmpeg import ffmpeg_exe

    ff = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    return [f"- Machine: `nproc` {nproc}, {cpu}, {ram} RAM; {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}.",
            f"- Packages: {', '.join(versions)}; {ff.split(' Copyright')[0]}.",
            ]


def summary(sections: dict[str, Section]) -> list[str]:
    """The issue's targets, each with its measured figure."""
    rows = []

    def add(target: str, figure: str, met: bool | None) -> None:
        rows.append(f"| {target} | {figure} | {'–' if met is None else 'met' if met else '**NOT met**'} |")

    t = sections.get("transcription")
    folder = sections.get("folder")
    if t and t.ok:
        text = t.text + (folder.text if folder and folder.ok else "")
        found = re.findall(r"On (these clips|the long recording|a folder of these clips), faster-whisper is "
                           r"\*\*([\d.]+)×\*\* as fast as openai-whisper.*?its WER is ([+-]?[\d.]+) points", text)
        if not found:
            add("default engine ≥ 4× faster than openai-whisper (same model)", "see the section", None)
        on = {"these clips": "the clips one by one", "the long recording": "the 60-minute recording",
              "a folder of these clips": "the clips as a folder (--jobs)"}
        for where, ratio, gap in found:
            add(f"default engine ≥ 4× faster than openai-whisper (same model), {on[where]}", f"{ratio}×",
                float(ratio) >= 4)
        for where, ratio, gap in found[:1]:
            add("default engine's WER within 1 point of openai-whisper's", f"{float(gap):+.1f} points",
                float(gap) <= 1.0)
        m = re.search(r"\| faster-whisper \| ([\d.]+) \| (\d+) \| (\d+) \| ([\d.]+)× \| ([\d.]+)% \| [\d.]+ \| (\d+) \|", t.text)
        if m:
            minutes, speed, wer, rss = float(m.group(1)), float(m.group(4)), float(m.group(5)), int(m.group(6))
            add(f"{minutes:.0f}-minute recording ≥ 12× real time", f"{speed:.1f}× (WER {wer:.1f}%)", speed >= 12)
            add(f"{minutes:.0f}-minute recording peak memory < 1.5 GB", f"{rss} MB", rss < 1536)
    c = sections.get("chapters")
    if c and c.ok:
        m = re.search(r"Targets (?:met|NOT met): F1@5s ([\d.]+), label accuracy ([\d.]+), one hour in ([\d.]+) s", c.text)
        if m:
            f1, acc, hour = (float(x) for x in m.groups())
            add("chaptering, default scorer, 9 untuned interviews: F1@5s ≥ 0.9", f"{f1:.2f}", f1 >= 0.9)
            add("chaptering label accuracy ≥ 0.9", f"{acc:.2f}", acc >= 0.9)
            add("chaptering a one-hour transcript < 10 s", f"{hour:.1f} s", hour < 10)
    long = sections.get("long")
    if long and long.ok:
        d = long.data
        add(f"a {d['minutes']:.0f}-minute interview fully built ≤ 6 min", f"{d['total_s'] / 60:.1f} min",
            d["total_s"] <= 360 * d["minutes"] / 60)
        add("everything that is not ASR ≤ 10% of the build", f"{d['non_asr_s'] / d['total_s']:.1%}",
            d["non_asr_s"] / d["total_s"] <= 0.10)
    media = sections.get("media")
    if media and media.ok and {"before", "after"} <= media.data["rows"].keys() \
            and "wall_s" in media.data["rows"]["before"]:
        r = media.data["rows"]
        add("publishing media faster (loudness kept: −16 ± 1 LUFS, ≤ −1 dBTP)",
            f"{r['before']['wall_s'] / r['after']['wall_s']:.1f}× less wall time; MP3 {r['after']['mp3'][0]:.1f} "
            f"LUFS / {r['after']['mp3'][1]:.1f} dBTP",
            abs(r["after"]["mp3"][0] + 16) <= 1 and r["after"]["mp3"][1] <= -1)
    tp = sections.get("throughput")
    if tp and tp.ok:
        rows_ = tp.data["rows"]
        size = max(r["size"] for r in rows_)
        by = {r["mode"]: r["wall_s"] for r in rows_ if r["size"] == size}
        if "serial" in by and "jobs" in by:
            add(f"--jobs {tp.data['jobs_n']} faster than --jobs 1 ({size} recordings)",
                f"{by['serial'] / by['jobs']:.2f}×" + (f"; Dask {by['serial'] / by['dask']:.2f}×" if "dask" in by else ""),
                by["jobs"] < by["serial"])
    sc = sections.get("scaling")
    if sc and sc.ok:
        big = max(sc.data["rows"], key=lambda r: r["episodes"])
        add(f"a {big['episodes']:,}-episode site builds in ≤ 60 s without ASR", f"{big['total_s']:.1f} s",
            big["total_s"] <= 60 if big["episodes"] >= 1000 else None)
    rb = sections.get("rebuild")
    if rb and rb.ok:
        d = rb.data
        add(f"no-change rebuild of {d['episodes']} episodes < {d.get('target_s', 3)} s, no ffmpeg or ASR",
            f"{d['no_change_rebuild_unprofiled_s']:.2f} s; work {d['no_change_rebuild_work']}", d.get("meets_target"))
    if not rows:
        return []
    studio = sections.get("studio")
    if studio and studio.ok:  # its own goal table has the same three columns
        rows += [line for line in studio.text.splitlines()
                 if line.startswith("| ") and line.rstrip().endswith(("| met |", "| **NOT met** |"))]
    return ["| target | measured | |", "|---|---|---|", *rows]


def rebuild_markdown(d: dict[str, Any]) -> str:
    lines = [f"`bench/rebuild.py`: {d['episodes']} tone recordings of {d['seconds_each']:.0f} s, built once with "
             "a fake engine, then rebuilt (see that file for the method).", "",
             "| build | seconds | ffmpeg runs / probes / engine calls / encodes |", "|---|---|---|"]
    for key, label in (("first_build", "first build"), ("no_change_rebuild", "no change (profiled)"),
                       ("no_change_rebuild_unprofiled", "no change"), ("sidecar_edit_rebuild", "one sidecar edited"),
                       ("question_set_edit_rebuild", "question set edited")):
        if f"{key}_s" not in d:
            continue
        work = d.get(f"{key}_work")
        counts = " / ".join(str(work.get(k, "–")) for k in ("ffmpeg_runs", "probes", "engine_calls", "encodes")) \
            if isinstance(work, dict) else "–"
        lines.append(f"| {label} | {d[f'{key}_s']:.2f} | {counts} |")
    return "\n".join(lines)


def section_markdown(section: Section) -> str:
    from bench.build import markdown

    if not section.ok:
        return f"Not measured: {section.error or 'skipped'}."
    if section.text:
        # The sections' own reports start with their own heading; ours is enough.
        return re.sub(r"^#+ .*\n+", "", section.text.strip(), count=1)
    if section.name == "rebuild":
        return rebuild_markdown(section.data)
    return markdown(section.name, section.data)


def write_up(sections: dict[str, Section], args: argparse.Namespace, started: dt.datetime, wall: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench.run{' --quick' if args.quick else ''}"
        f"{' --only ' + ','.join(args.only) if args.only else ''}` on {started:%Y-%m-%d} at {started:%H:%M} "
        f"({wall / 60:.0f} minutes in all). Every figure below was measured in this run; each comparison's "
        "sides ran one after the other in the same run.",
        "",
        *machine(),
        "- Other work shares this machine's cores: each section gives its load average (1, 5, 15 min) "
        "before → after, and 2.0 means both cores were already busy.",
        "",
    ]
    table = summary(sections)
    if table:
        lines += ["## Targets", "", *table, ""]
    for name in ORDER:
        s = sections.get(name)
        if s is None:
            continue
        lines += [f"## {TITLES[name]}", "",
                  f"_Section time {s.seconds / 60:.1f} min; load average {s.load_before or '–'} → "
                  f"{s.load_after or '–'}._", "", section_markdown(s), ""]
    lines += ["## Notes", "", *NOTES, ""]
    return "\n".join(lines)


NOTES = [
    "- Engine speed: compare the CPU seconds as well as the wall time. faster-whisper decodes a recording's "
    "speech batches one per core at once, one thread each, so it keeps both cores busy on a long "
    "recording; a recording with one batch (under 40 s of speech, as most of the clips) gets one core, "
    "where openai-whisper's torch uses two. Other load on the machine slows torch's threads more than "
    "CTranslate2's, so a busy machine flatters the ratio.",
    "- whisper.cpp runs through `pywhispercpp` 1.5.1 (a binary wheel: whisper.cpp 1.8.5 built with AVX2, "
    "not AVX-512; `pip install '.[bench]'`) on a GGML file that `bench/ggml.py` writes from the "
    "converted checkpoint of the same embedded tiny.en. Its own VAD needs a model that cannot be "
    "downloaded here, so it is given the speech chunks of faster-whisper's VAD (their time counts in its "
    "timing). Only the clips are run through it, not the 60-minute file.",
    "- faster-whisper's batched pipeline (`BatchedInferencePipeline`) is run with word timestamps and "
    "timestamp tokens on, like the product. It decodes 30-second windows of joined speech once each and "
    "drops more speech than whisper's window-by-window decoding, hence its higher WER on the long file; "
    "the product keeps window-by-window decoding within each batch.",
    "- The feed: every item carries its show notes (chapter list with links) and four transcript links, "
    "about 15 kB per episode; 1,000 episodes in one feed.xml would be 15 MB. Apple documents no item or "
    "size limit (its directory lists the newest 300), but apps do reject very large feeds (Pocket Casts "
    "refused a 2,000-episode, 3 MB+ feed; some readers stop at 2 MiB, FeedBurner at 1 MB), so `feed.xml` "
    "holds the newest `feed_limit` episodes (100) within `feed_max_kb` (2,000 kB) and older ones move to "
    "RFC 5005 archive pages (`feed-2.xml`, ...). The site lists every episode.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes (for development)")
    parser.add_argument("--only", type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
                        help=f"comma-separated sections ({', '.join(ORDER)})")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    unknown = [n for n in args.only or () if n not in ORDER]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; choose from {', '.join(ORDER)}")
    started, began = dt.datetime.now(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="learncast-bench-run-") as tmp:
        work = Path(tmp)
        planned = plan(args.quick, work)
        sections = {name: planned[name] for name in ORDER if not args.only or name in args.only}
        for section in sections.values():
            run_section(section, work)
            state = "ok" if section.ok else f"FAILED ({section.error})"
            print(f"   {section.name}: {state} in {section.seconds:.0f} s", file=sys.stderr, flush=True)
        text = write_up(sections, args, started, time.perf_counter() - began)
    from pipeline.fsutil import write_text

    write_text(args.out, text)
    print(f"written to {args.out}", file=sys.stderr)
    return 0 if all(s.ok for s in sections.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
