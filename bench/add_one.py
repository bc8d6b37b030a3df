"""Add one interview to a large site: the publish stage's site step, timed per part (no ASR).

    python -m bench.add_one [--episodes 1000]      # build N, then add the (N+1)th and time it
    python -m bench.add_one --episodes 100 --profile

The episodes are the ``scaling`` section's (``bench/build.py``): real transcripts of the
evaluation interviews end to end, chaptered once beforehand, as finished Episodes with
stand-in media (no ASR, no encoding). The site is built once with N of them by the same
function the publish stage ends with (:func:`pipeline.publish.episodes.write_site`:
reading packs, feeds, pages, stale-page removal, search index), then once more with one
more episode (the newest); that second run is the figure, split into its parts. The
per-episode work before it (redaction, downloads, media checks against
``.learncast/media.json``) is not in these figures: the fake episodes have no media; the
new episode's downloads are written and timed as "downloads".

The issue's goal: adding one interview to a 1,000-episode site in <= 10 s.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.build import _episodes, _write_downloads, cpu_seconds, loadavg, new_workspace  # noqa: E402

TARGET_SECONDS = 10.0
#: (label, module, function) timed inside write_site; patched where write_site looks them up.
PARTS = (("reading packs", "pipeline.publish.reading_packs", "write_reading_packs"),
         ("feeds", "pipeline.publish.episodes", "write_language_feeds"),
         ("pages", "pipeline.pages", "render_site"),
         ("stale pages", "pipeline.pages", "remove_stale"),
         ("search index", "pipeline.pages.search", "build_search_index"))


class Parts:
    """Wall seconds spent in each part of ``write_site`` since the last :meth:`reset`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def install(self) -> None:
        import importlib

        for label, module, name in PARTS:
            mod = importlib.import_module(module)
            original = getattr(mod, name)

            def timed(*a, _o=original, _label=label, **kw):
                t0 = time.perf_counter()
                try:
                    return _o(*a, **kw)
                finally:
                    self.seconds[_label] = self.seconds.get(_label, 0.0) + time.perf_counter() - t0

            setattr(mod, name, timed)

    def reset(self) -> dict[str, float]:
        out = {label: round(self.seconds.get(label, 0.0), 3) for label, _, _ in PARTS}
        self.seconds.clear()
        return out


def add_one(size: int, minutes: float, profile: bool = False) -> dict[str, Any]:
    from pipeline.chapters import load_questions
    from pipeline.publish.episodes import write_site

    parts = Parts()
    parts.install()
    with tempfile.TemporaryDirectory(prefix="learncast-addone-") as tmp:
        ws = new_workspace(Path(tmp), [])
        episodes, _, words = _episodes(ws, size + 1, minutes)
        questions = load_questions(ws.config.questions)
        old, new = episodes[:size], episodes[size]  # the last is the newest (pub dates go up)
        load0 = loadavg()
        t0, c0 = time.perf_counter(), cpu_seconds()
        _write_downloads(ws, old)
        write_site(ws, old, questions)
        first_s, first_cpu = time.perf_counter() - t0, cpu_seconds() - c0
        first_parts = parts.reset()
        load1 = loadavg()
        prof = cProfile.Profile() if profile else None
        t0, c0 = time.perf_counter(), cpu_seconds()
        if prof:
            prof.enable()
        _write_downloads(ws, [new])
        downloads_s = time.perf_counter() - t0
        write_site(ws, episodes, questions)
        if prof:
            prof.disable()
        add_s, add_cpu = time.perf_counter() - t0, cpu_seconds() - c0
        add_parts = {"downloads": round(downloads_s, 3), **parts.reset()}
        load2 = loadavg()
    text = ""
    if prof:
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
        text = buf.getvalue()
    return {"episodes": size, "words_per_episode": words, "minutes_per_episode": round(minutes, 1),
            "first_build_s": round(first_s, 2), "first_build_cpu_s": round(first_cpu, 2),
            "first_build_parts": first_parts, "add_one_s": round(add_s, 2), "add_one_cpu_s": round(add_cpu, 2),
            "add_one_parts": add_parts, "profiled": profile, "target_s": TARGET_SECONDS,
            "meets_target": add_s <= TARGET_SECONDS, "load_before": load0, "load_after_first": load1,
            "load_after": load2, "profile": text}


def markdown(d: dict[str, Any]) -> str:
    p = d["add_one_parts"]
    names = list(p)
    lines = ["| episodes | first build s (CPU s) | add one s (CPU s) | " + " | ".join(names) + " | load avg |",
             "|---|---|---|" + "---|" * len(names) + "---|",
             f"| {d['episodes']} | {d['first_build_s']:.1f} ({d['first_build_cpu_s']:.1f}) | "
             f"{d['add_one_s']:.2f} ({d['add_one_cpu_s']:.1f}) | " + " | ".join(f"{p[n]:.2f}" for n in names)
             + f" | {d['load_before']} → {d['load_after']} |"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--episodes", type=int, default=1000)
    ap.add_argument("--minutes", type=float, default=30.0, help="transcript length per episode")
    ap.add_argument("--profile", action="store_true", help="profile the add-one run (top 40 by cumulative time)")
    args = ap.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING)
    data = add_one(args.episodes, args.minutes, args.profile)
    profile = data.pop("profile")
    if profile:
        print(profile, file=sys.stderr)
    print(markdown(data), file=sys.stderr)
    print(json.dumps(data))
    return 0 if data["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
