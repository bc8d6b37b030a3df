"""Incremental-build benchmark: how long a rebuild takes when nothing (or one thing) changed.

    python -m bench.rebuild                       # 100 episodes, profile the no-change rebuild
    python -m bench.rebuild --episodes 20 --keep  # smaller, and keep the workspace to look at

It makes a workspace of N short tone recordings (ffmpeg, a different pitch each, so every
recording has its own content and guid), builds it once with a deterministic fake engine
(registered through ``register_engine``, so no speech model runs), then times:

* a **no-change rebuild**: the target is under 3 s at 100 episodes, with no ffmpeg or ffprobe
  process and no speech-engine call at all (processes and calls are counted, not assumed);
* a rebuild after **one sidecar edit**: only that episode's tags, page and the feed change;
* a rebuild after **one question-set edit**: every episode is re-chaptered, none re-transcribed.

The no-change rebuild runs under cProfile; the top functions by cumulative time are printed,
so a regression names its cause. Results go to stdout and, with ``--out``, to a JSON file.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 3.0


def make_tones(media: Path, n: int, seconds: float) -> None:
    """N mono tones, one ffmpeg run each (a few seconds for 100)."""
    from pipeline.ffmpeg import ffmpeg_exe

    media.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        freq = 200 + 7 * i
        subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi",
                        "-i", f"sine=frequency={freq}:sample_rate=16000:duration={seconds}",
                        "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", str(media / f"episode-{i:03d}.mp3")],
                       check=True)


class Counters:
    """Counts the processes a build starts (by program: ffmpeg, ffprobe, pagefind), the media
    encodes and the speech-engine calls, by wrapping subprocess.Popen and the entry points."""

    def __init__(self) -> None:
        self.processes: collections.Counter[str] = collections.Counter()
        self.engine = 0
        self.encode = 0

    def install(self) -> None:
        from pipeline.publish import media

        counters = self

        class CountingPopen(subprocess.Popen):
            def __init__(self, args, *a, **kw):
                first = args[0] if isinstance(args, (list, tuple)) else str(args).split()[0]
                counters.processes[Path(str(first)).name] += 1
                super().__init__(args, *a, **kw)

        subprocess.Popen = CountingPopen  # subprocess.run looks it up at each call
        for name in ("encode_audio", "encode_video"):
            original = getattr(media, name)

            def wrapped(*a, _o=original, **kw):
                self.encode += 1
                return _o(*a, **kw)

            setattr(media, name, wrapped)

    def reset(self) -> dict[str, object]:
        out = {"processes": dict(sorted(self.processes.items())), "engine_calls": self.engine,
               "encodes": self.encode}
        self.processes.clear()
        self.engine = self.encode = 0
        return out


def register_fake(counters: Counters) -> None:
    """A deterministic engine: a question and an answer timed to fit each recording."""
    from pipeline.models import Segment, Word
    from pipeline.transcribe.engines import RawResult, register_engine

    lines = ("Welcome, and thank you for joining us today.",
             "What rules did you have to break to make this work?",
             "We broke the rule that every referral needed a signed form first.",
             "Thank you so much for your time.")

    class BenchEngine:
        name = "bench-fake"

        def __init__(self, model: str = "", *, device: str = "auto", threads: int | None = None):
            self.model_id = "bench-fake-model"

        def transcribe(self, wav, duration, options, progress=None):
            counters.engine += 1
            segs = []
            for i, text in enumerate(lines):
                start, end = duration * i / 4, duration * (i + 1) / 4 - 0.05
                words = text.split()
                step = (end - start) / len(words)
                segs.append(Segment(start=start, end=end, text=text, words=tuple(
                    Word(start=start + j * step, end=start + (j + 1) * step, word=" " + w)
                    for j, w in enumerate(words))))
            return RawResult(language="en", segments=tuple(segs))

    register_engine("bench-fake", BenchEngine)


def timed_build(root: Path, profile: bool = False) -> tuple[float, str, int]:
    from pipeline import build
    from pipeline.workspace import Workspace

    prof = cProfile.Profile() if profile else None
    began = time.perf_counter()
    if prof:
        prof.enable()
    report = build.run(Workspace.open(root), engine="bench-fake", jobs=1)
    if prof:
        prof.disable()
    seconds = time.perf_counter() - began
    text = ""
    if prof:
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
        text = buf.getvalue()
    if report.failed:
        raise SystemExit("build failed: " + "; ".join(r.message for r in report.failed))
    return seconds, text, len(report.published)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--episodes", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=3.0, help="length of each tone recording")
    ap.add_argument("--workdir", type=Path, default=None, help="where to make the workspace (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the workspace")
    ap.add_argument("--out", type=Path, default=None, help="also write the figures as JSON here")
    ap.add_argument("--no-profile", action="store_true")
    args = ap.parse_args(argv)

    import logging

    logging.basicConfig(level=logging.WARNING)
    from pipeline import transcribe
    from pipeline.workspace import init_workspace

    # Tones have no voices: label speakers by position instead of running diarisation,
    # which only the first build would do anyway.
    import dataclasses

    transcribe.label_speakers = lambda segs, audio, stereo: tuple(
        dataclasses.replace(s, speaker="interviewer" if "?" in s.text or i == 0 else "interviewee")
        for i, s in enumerate(segs))

    counters = Counters()
    counters.install()
    register_fake(counters)

    tmp = tempfile.TemporaryDirectory(prefix="learncast-rebuild-", dir=args.workdir)
    root = Path(tmp.name) / "ws"
    init_workspace(root, "Rebuild bench")
    began = time.perf_counter()
    make_tones(root / "media", args.episodes, args.seconds)
    made = time.perf_counter() - began
    counters.reset()  # making the media is not the build's work

    results: dict[str, object] = {
        "episodes": args.episodes, "seconds_each": args.seconds, "machine": platform.platform(),
        "cpus": os.cpu_count(), "python": platform.python_version(), "make_media_s": round(made, 2),
    }
    first, _, published = timed_build(root)
    results["first_build_s"] = round(first, 2)
    results["first_build_work"] = counters.reset()
    results["published"] = published

    second, profile, _ = timed_build(root, profile=not args.no_profile)
    results["no_change_rebuild_s"] = round(second, 3)
    results["no_change_rebuild_work"] = counters.reset()
    # Again without the profiler's overhead, the figure the target is about.
    third, _, _ = timed_build(root)
    results["no_change_rebuild_unprofiled_s"] = round(third, 3)
    counters.reset()

    sidecar = root / "media" / "episode-007.toml"
    sidecar.write_text('title = "A changed title"\ninterviewee = "Someone Else"\n', encoding="utf-8")
    fourth, _, _ = timed_build(root)
    results["sidecar_edit_rebuild_s"] = round(fourth, 3)
    results["sidecar_edit_rebuild_work"] = counters.reset()

    questions = root / "questions.toml"
    from pipeline.chapters import default_questions_path

    # An edited wording: the set's fingerprint changes, so every episode is re-chaptered.
    text = default_questions_path().read_text(encoding="utf-8")
    questions.write_text(text.replace("What rules did you have to break?",
                                      "What rules did you have to bend or break?", 1), encoding="utf-8")
    cfg = root / "learncast.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('questions = ""', 'questions = "questions.toml"'),
                   encoding="utf-8")
    fifth, _, _ = timed_build(root)
    results["question_set_edit_rebuild_s"] = round(fifth, 3)
    results["question_set_edit_rebuild_work"] = counters.reset()

    results["target_s"] = TARGET_SECONDS
    work = results["no_change_rebuild_work"]
    results["meets_target"] = (third < TARGET_SECONDS and work["engine_calls"] == 0 and work["encodes"] == 0
                               and not {"ffmpeg", "ffprobe"} & set(work["processes"]))
    print(json.dumps(results, indent=2))
    if profile:
        print("\nno-change rebuild, top 30 by cumulative time:\n")
        print(profile)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.keep:
        print(f"workspace kept at {root}")
    else:
        tmp.cleanup()
    return 0 if results["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
