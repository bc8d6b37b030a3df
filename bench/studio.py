"""Studio benchmark: a 90-minute recording opened, saved and typed into in Chromium.

    python -m bench.studio                       # 90 minutes, 3 runs, the median run reported
    python -m bench.studio --markdown            # ... as the table RESULTS.md shows
    python -m bench.studio --minutes 5 --runs 1 --saves 5 --page-saves 2 --keys 20   # a smoke run

It makes a workspace with one long recording: the sample interview's audio looped to the
length asked (one MP3, mono, 32 kb/s, made once with ffmpeg and kept in ``bench/work/``)
and a transcript.json in the format transcription writes (format 2, written by
``write_transcript_file`` as the machine's file) whose turns are the sample's ground-truth
turns (``media/sample-interview.truth.json``) repeated and shifted, each word timed within
its turn and given a probability (about 4% below the uncertain threshold), plus the
chapter stage's chapters. Then, in each run, it starts the studio as ``learncast studio``
does (``studio.bind`` / ``prepare`` / ``server``, in a process of its own so that the
client's work never shares the server's interpreter) and measures, in Debian's Chromium
through Playwright (``/usr/bin/chromium``; never a downloaded browser):

* **open**: a fresh browser context goes to ``/recordings/<slug>?token=...`` (the token's
  redirect included), after a first page (the recordings list) in another context has
  started the browser's processes, as a person's browser is already running. Times are from navigation start (``performance.timeOrigin``):
  ``ready`` when the page has drawn the transcript (``data-ready``, set right after the
  last turn is in the DOM), ``painted`` the first frame after that (a rAF, then a task),
  ``metadata`` the media element's ``loadedmetadata`` (readyState >= HAVE_METADATA), and
  ``playing`` when ``play()``, called as soon as both are there, resolved. The goal
  (<= 1 s) is read against ``playing``. ``complete`` is when every turn is drawn (the page
  draws the first 40 at once, the rest in slices), ``loaded`` when the chapters and the
  redactions are in too. The open is then done again under Chromium's tracing, for the CPU
  time of the page's main thread and of the studio's process.
* **saves from Python**: N PUTs of the whole transcript (as the page sends it), each
  changing one word of another turn, over one keep-alive HTTP connection; the time from
  sending the request to the last byte of the answer, and the studio process's CPU time
  per save (/proc).
* **saves from the page**: a character typed into a turn, then the page's own autosave
  (debounced); from the PUT's ``fetch`` start (Resource Timing) to the answer's last byte,
  and to the moment the page says "All changes saved" (the answer parsed and adopted).
* **typing**: 200 keystrokes (Playwright ``keyboard.type`` with a delay between keys) into a
  turn in the middle; the longest main-thread task (``PerformanceObserver('longtask')``,
  tasks over 50 ms), the longest gap between animation frames, and the longest keystroke
  event (Event Timing, ``durationThreshold`` 16 ms), during the burst; then the same from
  the burst's start until the autosave after it is acknowledged. A second burst, into the
  next turn, runs under Chromium's tracing: each task's wall and CPU time.

Each figure is given for every run and for the median run (by ``playing``, save p50 and
the longest task respectively). The load average before and after says how busy the
machine was. ``--out F`` writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORK = ROOT / "bench" / "work" / "studio"
SAMPLE = ROOT / "media" / "sample-interview.mp4"
TRUTH = ROOT / "media" / "sample-interview.truth.json"
SLUG = "long-interview"
CHROMIUM = Path(os.environ.get("LEARNCAST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--autoplay-policy=no-user-gesture-required"]
GOALS = {"open_ms": 1000, "save_p50_ms": 100, "save_p95_ms": 300, "longest_task_ms": 50}
UNCERTAIN_SHARE = 0.04


def chromium_missing() -> str:
    """Why the browser part cannot run here ("" when it can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright; never `playwright install`)"
    if not CHROMIUM.is_file():
        return f"chromium is not installed at {CHROMIUM} (apt-get install chromium, or set LEARNCAST_CHROMIUM)"
    return ""


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0.0
    try:
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
        mem = kb / 1024 / 1024
    except (OSError, StopIteration, ValueError):
        pass
    chromium = ""
    try:
        chromium = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gib": round(mem, 1), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "chromium": chromium,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# ---------------------------------------------------------------- the workspace


def word_timings(rng: random.Random, text: str, start: float, end: float) -> list[dict[str, Any]]:
    """The turn's words timed in proportion to their length, with short gaps, as Whisper gives them."""
    tokens = text.split()
    weights = [len(t) + 2 for t in tokens]
    span = max(end - start, 0.05 * len(tokens))
    unit = span / sum(weights)
    words, t = [], start
    for token, w in zip(tokens, weights):
        length = w * unit
        p = rng.uniform(0.2, 0.49) if rng.random() < UNCERTAIN_SHARE else rng.uniform(0.6, 0.999)
        words.append({"start": round(t, 3), "end": round(t + length * 0.9, 3), "word": " " + token,
                      "probability": round(p, 4)})
        t += length
    return words


def long_transcript(minutes: float, seed: int = 0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(transcript.json's data, the chapter stage's chapters) for ``minutes`` of the sample's turns."""
    from pipeline.models import Transcript
    from pipeline.transcribe import transcript_to_file_data

    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    period, total = float(truth["duration"]), minutes * 60
    rng = random.Random(seed)
    segments, chapters = [], []
    loop = 0
    while loop * period < total:
        shift = loop * period
        for turn in truth["turns"]:
            start, end = turn["start"] + shift, min(turn["end"] + shift, total)
            if start >= total - 0.5:
                break
            words = word_timings(rng, turn["text"], start, end)
            segments.append({"start": round(start, 3), "end": round(end, 3), "speaker": turn["speaker"],
                             "text": " ".join(w["word"].strip() for w in words), "words": words})
        if loop % 3 == 0 and shift < total:  # a chapter every ~9 minutes: about 10 in 90 minutes
            chapters.append({"start": round(shift, 3), "question": "intro" if not loop else truth["chapters"][1 + loop % 8]["question"]})
        loop += 1
    for i, c in enumerate(chapters):
        c["end"] = chapters[i + 1]["start"] if i + 1 < len(chapters) else round(total, 3)
        c.update(title=c["question"].capitalize(), confidence=1.0 if i % 4 else 0.4)
    t = Transcript.from_dict({"language": "en", "engine": "faster-whisper", "model": "embedded:tiny.en",
                              "duration": round(total, 3), "speakers": {"interviewer": "Sam Carter",
                                                                        "interviewee": "Helen Ward"},
                              "segments": segments})
    data = transcript_to_file_data(t, asr_key=hashlib.sha256(f"bench-{minutes}".encode()).hexdigest(),
                                   extra={"source": f"{SLUG}.mp3", "transcribed_at": "2026-12-01T00:00:00+00:00"})
    return data, chapters


def long_audio(minutes: float, folder: Path = WORK) -> Path:
    """The sample's audio looped to ``minutes``: one MP3 (mono, 22.05 kHz, 32 kb/s), made once."""
    from pipeline.ffmpeg import ffmpeg_exe

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"audio-{minutes:g}min.mp3"
    if not path.is_file():
        part = path.with_suffix(".part.mp3")
        subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-stream_loop", "-1", "-i", str(SAMPLE),
                        "-vn", "-t", str(minutes * 60), "-ac", "1", "-ar", "22050", "-c:a", "libmp3lame",
                        "-b:a", "32k", str(part)], check=True)
        part.replace(path)
    return path


def make_workspace(root: Path, minutes: float, audio_folder: Path = WORK) -> dict[str, Any]:
    """A workspace at ``root`` with the one long recording, transcribed and chaptered."""
    from pipeline.chapters.stage import chapters_path
    from pipeline.transcribe import write_transcript_file
    from pipeline.workspace import Workspace, init_workspace

    init_workspace(root, "Studio Bench")
    audio = long_audio(minutes, audio_folder)
    media = root / "media" / f"{SLUG}.mp3"
    try:
        os.link(audio, media)
    except OSError:
        shutil.copy(audio, media)
    (root / "media" / f"{SLUG}.toml").write_text(
        'title = "A long interview"\ninterviewee = "Helen Ward"\ndate = 2026-03-01\n', encoding="utf-8")
    data, chapters = long_transcript(minutes)
    path = root / "transcripts" / SLUG / "transcript.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_transcript_file(path, data, machine=True)
    state = chapters_path(Workspace.open(root).cache_dir, SLUG)
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"format": 1, "asr_key": data["asr_key"], "chapters": chapters}), encoding="utf-8")
    return {"minutes": minutes, "turns": len(data["segments"]), "words": sum(len(s["words"]) for s in data["segments"]),
            "chapters": len(chapters), "transcript_bytes": path.stat().st_size, "audio_bytes": media.stat().st_size}


# ---------------------------------------------------------------- the server, in its own process


def serve(root: Path, token: str, csrf: str) -> None:
    """``--serve``: the studio on a free port of 127.0.0.1, as ``learncast studio`` runs it; prints the port."""
    from pipeline import studio
    from pipeline.studio.security import Secrets
    from pipeline.workspace import Workspace

    sock = studio.bind(0)
    app, _, _ = studio.prepare(Workspace.open(root), sock, Secrets(token=token, csrf=csrf))
    server = studio.server(app, sock)
    print(sock.getsockname()[1], flush=True)
    server.run(sockets=[sock])


class Server:
    def __init__(self, root: Path):
        import secrets

        self.token, self.csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.studio", "--serve", str(root), self.token, self.csrf],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.proc.kill()
            raise RuntimeError(f"the studio did not start (it said {line!r})")
        self.port = int(line)
        self.base = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---------------------------------------------------------------- saves from Python


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def spread(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "p50_ms": round(statistics.median(values), 1) if values else None,
            "p95_ms": round(percentile(values, 0.95), 1) if values else None,
            "max_ms": round(max(values), 1) if values else None}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def python_saves(server: Server, n: int) -> dict[str, Any]:
    """N PUTs over one keep-alive connection, each changing one word of another turn."""
    import http.client

    headers = {"Host": f"127.0.0.1:{server.port}", "Cookie": f"learncast_studio={server.token}",
               "Origin": server.base, "X-CSRF-Token": server.csrf, "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", f"/api/recordings/{SLUG}/transcript", headers=headers)
    body = json.loads(conn.getresponse().read())
    version, data = body["version"], body["data"]
    times, sizes = [], (0, 0)
    cpu_before = cpu_seconds(server.proc.pid)
    for i in range(n):
        seg = data["segments"][(i * 37) % len(data["segments"])]
        first, _, rest = seg["text"].partition(" ")
        seg["text"] = ("So" if first != "So" else "Well") + " " + rest
        raw = json.dumps({"version": version, "speakers": data["speakers"], "segments": data["segments"]}).encode()
        began = time.perf_counter()
        conn.request("PUT", f"/api/recordings/{SLUG}/transcript", body=raw, headers=headers)
        r = conn.getresponse()
        answer = r.read()
        times.append((time.perf_counter() - began) * 1000)
        if r.status != 200:
            raise RuntimeError(f"save {i + 1} answered HTTP {r.status}: {answer[:200]!r}")
        saved = json.loads(answer)
        version, data = saved["version"], saved["data"]
        sizes = (len(raw), len(answer))
    cpu = cpu_seconds(server.proc.pid) - cpu_before
    conn.close()
    return {**spread(times), "request_bytes": sizes[0], "answer_bytes": sizes[1],
            "server_cpu_ms_per_save": round(cpu * 1000 / max(n, 1), 1)}


# ---------------------------------------------------------------- in the browser

INIT = """
(() => {
  const b = window.__bench = { longtasks: [], events: [], saved: [], frames: [] };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) b.longtasks.push([e.startTime, e.duration]); })
    .observe({ type: "longtask", buffered: true });
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) b.events.push([e.startTime, e.duration, e.name]); })
      .observe({ type: "event", durationThreshold: 16, buffered: true });
  } catch (err) { b.noEventTiming = String(err); }
  const drawn = new MutationObserver(() => {
    const now = performance.now();
    if (b.ready === undefined && document.querySelector(".recording[data-transcript]")) {
      b.ready = now;
      requestAnimationFrame(() => setTimeout(() => { b.painted = performance.now(); }, 0));
    }
    if (b.loaded === undefined && document.querySelector(".recording[data-ready]")) b.loaded = now;
    if (b.complete === undefined && document.querySelector("#transcript[data-complete]")) b.complete = now;
    if (b.loaded !== undefined && b.complete !== undefined) drawn.disconnect();
  });
  drawn.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-transcript", "data-ready", "data-complete"] });
  document.addEventListener("DOMContentLoaded", () => {
    const s = document.getElementById("save-state");
    let last = s.textContent;
    new MutationObserver(() => {
      if (s.textContent === "All changes saved" && last !== s.textContent) b.saved.push(performance.now());
      last = s.textContent;
    }).observe(s, { childList: true, characterData: true, subtree: true });
  });
  document.addEventListener("loadedmetadata", () => { if (b.metadata === undefined) b.metadata = performance.now(); }, true);
  b.watchFrames = () => {
    b.frames = []; b.watching = true;
    const tick = (t) => { b.frames.push(t); if (b.watching) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  };
})();
"""

PLAY = """async () => {
  const b = window.__bench, find = () => document.querySelector("[data-player]");
  const both = () => b.ready !== undefined && find() && find().readyState >= 1;
  while (!both()) await new Promise((r) => setTimeout(r, 1));
  const player = find();
  b.playCalled = performance.now();
  await player.play();
  b.playing = performance.now();
  player.pause();
  return { ready: b.ready, painted: b.painted, metadata: b.metadata, playCalled: b.playCalled, playing: b.playing,
           readyState: player.readyState, duration: player.duration,
           turns: document.querySelectorAll(".turn").length, words: document.querySelectorAll(".w").length };
}"""


def open_figures(page, server: Server) -> dict[str, Any]:
    page.goto(f"{server.base}/recordings/{SLUG}?token={server.token}", wait_until="commit")
    got = page.evaluate(PLAY)
    got.update(page.evaluate("""async () => {
      const b = window.__bench;
      while ([b.painted, b.loaded, b.complete].includes(undefined)) await new Promise((r) => setTimeout(r, 5));
      return { painted: b.painted, loaded: b.loaded, complete: b.complete };
    }"""))
    nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
      const got = (end) => { const e = performance.getEntriesByType('resource').find((r) => r.name.endsWith(end));
                             return e ? [e.startTime, e.responseEnd] : [null, null]; };
      return { redirect: n.redirectEnd - n.redirectStart, html: n.responseEnd, domContentLoaded: n.domContentLoadedEventEnd,
               transcript: got('/transcript'), chapters: got('/chapters'), redactions: got('/redactions') }; }""")
    tasks = page.evaluate("window.__bench.longtasks.filter(([s]) => s <= window.__bench.complete)")
    return {"ready_ms": round(got["ready"], 1), "painted_ms": round(got["painted"], 1),
            "loaded_ms": round(got["loaded"], 1), "complete_ms": round(got["complete"], 1),
            "metadata_ms": round(got["metadata"], 1), "playing_ms": round(got["playing"], 1),
            "html_ms": round(nav["html"], 1), "dom_content_loaded_ms": round(nav["domContentLoaded"], 1),
            **{f"{k}_get_ms": [round(x, 1) if x is not None else None for x in nav[k]]
               for k in ("transcript", "chapters", "redactions")},
            "longest_task_ms": round(max((d for _, d in tasks), default=0), 1),  # until every turn is drawn
            "turns": got["turns"], "words": got["words"], "media_duration_s": round(got["duration"], 1)}


def caret_at_end_of_turn(page, i: int) -> None:
    page.evaluate("""(i) => {
      const p = document.querySelector('.turn[data-i="' + i + '"] .text');
      p.scrollIntoView({ block: "center" });
      p.focus();
      const r = document.createRange(); r.selectNodeContents(p); r.collapse(false);
      const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
    }""", i)


def wait_saved(page, count: int) -> None:
    page.wait_for_function("(n) => window.__bench.saved.length >= n && "
                           "document.getElementById('save-state').textContent === 'All changes saved'",
                           arg=count, timeout=60_000)


def typing_figures(page, keys: int, delay_ms: float) -> dict[str, Any]:
    turns = page.evaluate("document.querySelectorAll('.turn').length")
    caret_at_end_of_turn(page, turns // 2)
    page.evaluate("window.__bench.player = document.querySelector('[data-player]').pause()")
    page.wait_for_timeout(1500)  # let the page settle: what is measured is the burst
    saved_before = page.evaluate("window.__bench.saved.length")
    text = (" the ward nurses mattered most" * (keys // 30 + 1))[:keys]
    began = page.evaluate("window.__bench.watchFrames(), performance.now()")
    page.keyboard.type(text, delay=delay_ms)
    ended = page.evaluate("performance.now()")
    wait_saved(page, saved_before + 1)
    b = page.evaluate("""() => { const b = window.__bench; b.watching = false;
      return { longtasks: b.longtasks, events: b.events, frames: b.frames, saved: b.saved }; }""")
    acked = b["saved"][-1]

    def window(t0: float, t1: float) -> dict[str, Any]:
        tasks = [d for s, d in b["longtasks"] if t0 <= s <= t1]
        frames = [f for f in b["frames"] if t0 <= f <= t1]
        gaps = [b2 - a for a, b2 in zip(frames, frames[1:])]
        events = [d for s, d, name in b["events"] if t0 <= s <= t1 and name in ("keydown", "keypress", "keyup", "input",
                                                                                 "beforeinput")]
        return {"longest_task_ms": round(max(tasks, default=0.0), 1), "long_tasks": len(tasks),
                "longest_frame_gap_ms": round(max(gaps, default=0.0), 1),
                "longest_key_event_ms": round(max(events, default=0.0), 1), "key_events_over_16ms": len(events)}

    return {"keys": keys, "delay_ms": delay_ms, "burst_ms": round(ended - began, 1),
            "burst": window(began, ended), "with_autosave": window(began, acked),
            "autosave_ack_after_last_key_ms": round(acked - ended, 1),
            "text_saved": page.evaluate("(t) => document.activeElement.textContent.endsWith(t)", text[-20:])}


TRACE_CATEGORIES = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline"]


def main_thread_tasks(trace: bytes) -> list[tuple[float, float, str]]:
    """(wall ms, CPU ms, what took most of it) of every task on the page's main thread."""
    events = json.loads(trace)["traceEvents"]
    main = {(e["pid"], e["tid"]) for e in events
            if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    mine = sorted((e for e in events if (e.get("pid"), e.get("tid")) in main and e.get("ph") == "X"), key=lambda e: e["ts"])
    starts = [e["ts"] for e in mine]
    out = []
    for t in (e for e in mine if e["name"] == "ThreadControllerImpl::RunTask"):
        lo, hi = bisect.bisect_left(starts, t["ts"]), bisect.bisect_right(starts, t["ts"] + t["dur"])
        inside = [e for e in mine[lo:hi] if e["name"] not in ("RunTask", "ThreadControllerImpl::RunTask")]
        what = max(inside, key=lambda e: e["dur"])["name"] if inside else ""
        out.append((t["dur"] / 1000, t.get("tdur", 0) / 1000, what))
    return out


def traced_burst(browser, page, keys: int, delay_ms: float) -> dict[str, Any]:
    """The burst again, on another turn, under Chromium's tracing: each task's CPU time as well as
    its wall time (on a shared machine the wall time of a task is also other programs' time)."""
    turns = page.evaluate("document.querySelectorAll('.turn').length")
    caret_at_end_of_turn(page, turns // 2 + 1)
    page.wait_for_timeout(1000)
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    page.keyboard.type((" the ward nurses mattered most" * (keys // 30 + 1))[:keys], delay=delay_ms)
    tasks = main_thread_tasks(browser.stop_tracing())
    wall = max(tasks, default=(0.0, 0.0, ""))
    cpu = max(tasks, key=lambda t: t[1], default=(0.0, 0.0, ""))
    return {"tasks": len(tasks), "longest_wall_ms": round(wall[0], 1), "its_cpu_ms": round(wall[1], 1), "its_work": wall[2],
            "longest_cpu_ms": round(cpu[1], 1), "longest_cpu_work": cpu[2],
            "tasks_over_50ms_wall": sum(1 for t in tasks if t[0] > 50), "tasks_over_50ms_cpu": sum(1 for t in tasks if t[1] > 50)}


def traced_open(browser, server: Server) -> dict[str, Any]:
    """The open again, in a fresh context under Chromium's tracing: the CPU time of the page's
    main thread (every task until every turn is drawn) and of the studio's process."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(INIT)
    page = context.new_page()
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    cpu_before = cpu_seconds(server.proc.pid)
    opened = open_figures(page, server)
    server_cpu = cpu_seconds(server.proc.pid) - cpu_before
    tasks = main_thread_tasks(browser.stop_tracing())
    context.close()
    return {"playing_ms": opened["playing_ms"], "complete_ms": opened["complete_ms"],
            "page_cpu_ms": round(sum(t[1] for t in tasks), 1), "longest_cpu_ms": round(max((t[1] for t in tasks), default=0), 1),
            "server_cpu_ms": round(server_cpu * 1000, 1)}


def page_saves(page, n: int) -> dict[str, Any]:
    """Type one character, let the page's autosave send it, n times."""
    fetch_ms, ack_ms = [], []
    for _ in range(n):
        count = page.evaluate("window.__bench.saved.length")
        mark = page.evaluate("performance.now()")
        page.keyboard.type("x")
        wait_saved(page, count + 1)
        got = page.evaluate("""(mark) => {
          const puts = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/transcript') && e.startTime > mark);
          const e = puts[puts.length - 1];
          return { start: e.startTime, end: e.responseEnd, saved: window.__bench.saved[window.__bench.saved.length - 1] };
        }""", mark)
        fetch_ms.append(got["end"] - got["start"])
        ack_ms.append(got["saved"] - got["start"])
    return {"fetch": spread(fetch_ms), "acknowledged": spread(ack_ms)}


def browser_run(server: Server, keys: int, delay_ms: float, saves: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            warm = browser.new_context()  # a person's browser is already running: start it first
            warm.new_page().goto(f"{server.base}/?token={server.token}")
            warm.close()
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.add_init_script(INIT)
            context.set_default_timeout(60_000)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            opened = open_figures(page, server)
            typing = typing_figures(page, keys, delay_ms)
            typing["traced"] = traced_burst(browser, page, keys, delay_ms)
            saved = page_saves(page, saves)
            context.close()
            opened["traced"] = traced_open(browser, server)
        finally:
            browser.close()
    if errors:
        raise RuntimeError(f"script errors on the page: {errors[:3]}")
    return {"open": opened, "typing": typing, "page_saves": saved}


# ---------------------------------------------------------------- a run, and the report


def one_run(pristine: Path, work: Path, options: argparse.Namespace) -> dict[str, Any]:
    root = work / "ws"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(pristine, root)
    load_before = loadavg()
    server = Server(root)
    try:
        out = browser_run(server, options.keys, options.delay, options.page_saves)
        out["python_saves"] = python_saves(server, options.saves)
    finally:
        server.close()
    out["load"] = f"{load_before} → {loadavg()}"
    return out


def median_run(runs: list[dict[str, Any]], key) -> dict[str, Any]:
    ordered = sorted(runs, key=key)
    return ordered[(len(ordered) - 1) // 2]


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median run for each figure, and whether it meets its goal."""
    opened = median_run(runs, lambda r: r["open"]["playing_ms"])
    saved = median_run(runs, lambda r: r["python_saves"]["p50_ms"])
    typed = median_run(runs, lambda r: r["typing"]["burst"]["longest_task_ms"])
    figures = {"open_ms": opened["open"]["playing_ms"], "save_p50_ms": saved["python_saves"]["p50_ms"],
               "save_p95_ms": saved["python_saves"]["p95_ms"],
               "page_save_p50_ms": saved["page_saves"]["acknowledged"]["p50_ms"],
               "page_save_p95_ms": saved["page_saves"]["acknowledged"]["p95_ms"],
               "longest_task_ms": typed["typing"]["burst"]["longest_task_ms"],
               "longest_task_with_autosave_ms": typed["typing"]["with_autosave"]["longest_task_ms"],
               "longest_frame_gap_ms": typed["typing"]["burst"]["longest_frame_gap_ms"],
               "longest_key_event_ms": typed["typing"]["burst"]["longest_key_event_ms"],
               "open_page_cpu_ms": opened["open"]["traced"]["page_cpu_ms"],
               "open_server_cpu_ms": opened["open"]["traced"]["server_cpu_ms"],
               "save_server_cpu_ms": saved["python_saves"]["server_cpu_ms_per_save"],
               "longest_task_cpu_ms": typed["typing"]["traced"]["longest_cpu_ms"]}
    met = {k: figures[k] is not None and figures[k] <= goal for k, goal in GOALS.items()}
    return {"figures": figures, "met": met}


def run(options: argparse.Namespace) -> dict[str, Any]:
    began = time.perf_counter()
    load_before = loadavg()
    with tempfile.TemporaryDirectory(prefix="learncast-studio-bench-") as tmp:
        work = Path(tmp)
        pristine = work / "pristine"
        made = make_workspace(pristine, options.minutes, Path(options.audio_folder) if options.audio_folder else WORK)
        runs = [one_run(pristine, work, options) for _ in range(options.runs)]
    return {"machine": machine(), "workspace": made, "runs": runs, **summary(runs),
            "load": f"{load_before} → {loadavg()}", "seconds": round(time.perf_counter() - began, 1),
            "options": {"minutes": options.minutes, "runs": options.runs, "saves": options.saves,
                        "page_saves": options.page_saves, "keys": options.keys, "delay_ms": options.delay}}


def markdown(result: dict[str, Any]) -> str:
    m, w, f, met = result["machine"], result["workspace"], result["figures"], result["met"]

    def verdict(key: str) -> str:
        return "met" if met[key] else "**NOT met**"

    lines = [
        f"`python -m bench.studio` on {m['date']}: {result['options']['runs']} runs, the median run reported; "
        f"load average {result['load']} (2.0 means both cores were already busy).",
        "",
        f"Machine: `nproc` {m['nproc']}, {m['cpu']}, {m['memory_gib']} GiB RAM; {m['system']}, Python {m['python']}; "
        f"{m['chromium']} headless through Playwright.",
        "",
        f"Workspace: one {w['minutes']:g}-minute recording (the sample's audio looped, MP3 32 kb/s, "
        f"{w['audio_bytes'] / 1e6:.1f} MB), transcript.json {w['transcript_bytes'] / 1e6:.2f} MB: {w['turns']} turns, "
        f"{w['words']:,} words, {w['chapters']} chapters.",
        "",
        "| goal | measured (median run) | |",
        "|---|---|---|",
        f"| opens and is playable ≤ 1 s (navigation start → `play()` resolved, the transcript drawn) | {f['open_ms']:.0f} ms | {verdict('open_ms')} |",
        f"| save acknowledged ≤ 100 ms median (PUT over HTTP from Python) | {f['save_p50_ms']:.0f} ms | {verdict('save_p50_ms')} |",
        f"| save acknowledged ≤ 300 ms p95 (same) | {f['save_p95_ms']:.0f} ms | {verdict('save_p95_ms')} |",
        f"| longest main-thread task during a {result['options']['keys']}-keystroke burst ≤ 50 ms | {f['longest_task_ms']:.0f} ms | {verdict('longest_task_ms')} |",
        "",
        "CPU time, which other programs on the machine disturb far less than wall time (same median runs):",
        "",
        "| | CPU ms |",
        "|---|---|",
        f"| the open, page's main thread (every task until every turn is drawn, traced) | {f['open_page_cpu_ms']:.0f} |",
        f"| the open, the studio's process | {f['open_server_cpu_ms']:.0f} |",
        f"| one save, the studio's process (mean of the PUTs) | {f['save_server_cpu_ms']:.0f} |",
        f"| the longest task of the traced typing burst | {f['longest_task_cpu_ms']:.0f} |",
        "",
        "Every run:",
        "",
        "| run | load avg before → after | HTML | drawn | painted | metadata | playing | all turns | traced open: playing / page CPU / server CPU | Python save p50 / p95 / max; server CPU | page save (fetch → \"All changes saved\") p50 / p95 | longest task: burst / with autosave | longest frame gap (burst) | longest key event (burst) | traced burst: longest task wall / its CPU / longest CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(result["runs"], 1):
        o, s, ps, t = r["open"], r["python_saves"], r["page_saves"]["acknowledged"], r["typing"]
        to, tt = o["traced"], t["traced"]
        lines.append(f"| {i} | {r['load']} | {o['html_ms']:.0f} | {o['ready_ms']:.0f} | {o['painted_ms']:.0f} | "
                     f"{o['metadata_ms']:.0f} | {o['playing_ms']:.0f} | {o['complete_ms']:.0f} | "
                     f"{to['playing_ms']:.0f} / {to['page_cpu_ms']:.0f} / {to['server_cpu_ms']:.0f} | "
                     f"{s['p50_ms']:.0f} / {s['p95_ms']:.0f} / {s['max_ms']:.0f}; {s['server_cpu_ms_per_save']:.0f} | "
                     f"{ps['p50_ms']:.0f} / {ps['p95_ms']:.0f} | {t['burst']['longest_task_ms']:.0f} / "
                     f"{t['with_autosave']['longest_task_ms']:.0f} | {t['burst']['longest_frame_gap_ms']:.0f} | "
                     f"{t['burst']['longest_key_event_ms']:.0f} | {tt['longest_wall_ms']:.0f} / {tt['its_cpu_ms']:.0f} / "
                     f"{tt['longest_cpu_ms']:.0f} |")
    r = result["runs"][0]
    lines += ["", f"Times in ms from navigation start. Python saves: {r['python_saves']['n']} PUTs of "
              f"{r['python_saves']['request_bytes'] / 1e6:.2f} MB, answers of {r['python_saves']['answer_bytes'] / 1e6:.2f} MB; "
              f"page saves: {r['page_saves']['acknowledged']['n']}; typing: {r['typing']['keys']} keys "
              f"{r['typing']['delay_ms']:g} ms apart."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=90)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--saves", type=int, default=100, help="PUTs from Python per run")
    parser.add_argument("--page-saves", type=int, default=20, help="autosaves from the page per run")
    parser.add_argument("--keys", type=int, default=200, help="keystrokes in the typing burst")
    parser.add_argument("--delay", type=float, default=40, help="ms between keystrokes")
    parser.add_argument("--audio-folder", default="", help=f"where the long MP3 is kept (default {WORK})")
    parser.add_argument("--out", default="", help="write the figures as JSON here")
    parser.add_argument("--markdown", action="store_true", help="print the RESULTS.md table, not JSON")
    parser.add_argument("--serve", nargs=3, metavar=("ROOT", "TOKEN", "CSRF"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        serve(Path(options.serve[0]), options.serve[1], options.serve[2])
        return 0
    missing = chromium_missing()
    if missing:
        print(f"bench.studio: {missing}", file=sys.stderr)
        return 2
    result = run(options)
    if options.out:
        Path(options.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(markdown(result) if options.markdown else json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
