"""Chaptering benchmark: how well ``pipeline.chapters`` finds the reflective questions.

    .venv/bin/python -m bench.chapters [--set eval|dev] [--regenerate] [--scorer NAME ...]

Runs on three sets of recordings:

* one set of generated interviews with ground truth, generated when missing (or always
  with ``--regenerate``): with ``--set eval`` (the default) the evaluation interviews of
  ``scripts/make_eval_interviews.py`` in ``bench/work/eval/``, reported in
  ``bench/work/chapters.md``; with ``--set dev`` the development interviews of
  ``scripts/make_dev_interviews.py`` in ``bench/work/dev/``, reported in
  ``bench/work/chapters-dev.md``. The chaptering code is tuned on the development set
  (and the sample interview) only; the evaluation set measures it on interviews it was
  not tuned on;
* the sample interview ``media/sample-interview.mp4`` with its truth;
* the real recordings in ``../shared/realspeech`` (speeches, audiobooks, calls, meetings).
  They are not interviews, so the right number of question chapters for them is zero.

Every recording goes through the real pipeline stages: ingest, the default
faster-whisper engine, speaker labelling and chaptering. Whisper's raw output is cached
in ``bench/work/asr/`` under the pipeline's own ASR key, so re-runs skip speech
recognition but still re-run speaker labelling and chaptering (the parts being tuned).
The labelled transcripts are written to ``bench/work/transcripts/`` for inspection.

Metrics, per recording and scorer (definitions are part of the benchmark's contract):

* **F1@5s / F1@15s** - chapter-start detection. The starts are those of every question
  chapter and of the closing chapter (the closing is a boundary listeners navigate to,
  so it counts); the introduction at 0 s is excluded. Predicted and true starts are
  matched one-to-one, greedily by distance, within the tolerance; labels are ignored
  here (label accuracy measures them).
* **label acc** - the fraction of the recording's duration where the predicted chapter
  label (question id, ``intro`` or ``closing``) equals the true one.
* **Q recall / Q precision** - over the sets of question ids asked in the interview
  (``intro`` and ``closing`` excluded). Precision is undefined (``-``) when no question is
  predicted, and left out of the mean.
* **Pk** - ``nltk.metrics.segmentation.pk`` on a 1-second grid of boundary strings (every
  chapter start but the first), with k = half the mean true segment length. Lower is
  better.
* **spk acc** - the fraction of transcript words whose speaker label matches the true
  speaker of the turn they fall in: chaptering leans on speaker labels, so this tells a
  speaker failure from a chaptering one.
* **ms** - wall time of ``chapter_transcript`` alone (scorer construction, e.g. loading
  an embedding model, is done once beforehand and reported separately).

The chaptering speed target is checked on a one-hour transcript made by concatenating
the chosen set's transcripts end to end.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import importlib
import importlib.util
import inspect
import json
import logging
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
EVAL_DIR = WORK / "eval"
DEV_DIR = WORK / "dev"
ASR_DIR = WORK / "asr"
TRANSCRIPTS_DIR = WORK / "transcripts"
CACHE_DIR = WORK / "cache"
REPORT = WORK / "chapters.md"
SAMPLE = ROOT / "media" / "sample-interview.mp4"
REALSPEECH = ROOT.parent / "shared" / "realspeech"
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".mp4")
CANDIDATE_SCORERS = ("lexical", "semantic")
TOLERANCES = (5.0, 15.0)
ONE_HOUR = 3600.0
THREADS = 2

from pipeline.chapters import CLOSING, INTRO, chapter_transcript, load_questions, make_scorer
from pipeline.config import Config
from pipeline.errors import LearncastError
from pipeline.fsutil import write_json, write_text
from pipeline.ingest import ingest
from pipeline.models import Audio, Chapter, Recording, Segment, Transcript
from pipeline.transcribe import Settings, transcribe_audio
from pipeline.transcribe.engines import Engine, Options, Progress, RawResult, get_engine
from pipeline.workspace import slugify

log = logging.getLogger("bench.chapters")


# ---------------------------------------------------------------- recordings


@dataclass(frozen=True)
class Item:
    """One recording to benchmark; ``truth`` is None for the non-interviews."""

    name: str
    group: str  # "eval" or "dev" (the interview set), "sample" or "real"
    path: Path
    truth: dict[str, Any] | None = None


#: Interview sets: name -> (generator module in scripts/, output folder).
SETS = {"eval": ("make_eval_interviews", EVAL_DIR), "dev": ("make_dev_interviews", DEV_DIR)}


def set_items(name: str, regenerate: bool) -> list[Item]:
    """The interviews of set ``name``, generated first when missing (or on request)."""
    module_name, folder = SETS[name]
    sys.path.insert(0, str(ROOT / "scripts"))
    module = importlib.import_module(module_name)  # scripts/ is not a package

    paths = module.generate(folder, only_missing=not regenerate)
    return [Item(p.stem, name, p, _load_json(p.with_suffix(".truth.json"))) for p in paths]


def eval_items(regenerate: bool) -> list[Item]:
    """The evaluation interviews, generated first when missing (or on request)."""
    return set_items("eval", regenerate)


def sample_items() -> list[Item]:
    truth = SAMPLE.with_suffix(".truth.json")
    if not SAMPLE.is_file() or not truth.is_file():
        log.warning("no sample interview with truth at %s; skipped", SAMPLE)
        return []
    return [Item("sample-interview", "sample", SAMPLE, _load_json(truth))]


def real_items(folder: Path = REALSPEECH) -> list[Item]:
    """Every audio file under ``folder`` except copies of the sample interview."""
    if not folder.is_dir():
        log.warning("no real recordings at %s; skipped", folder)
        return []
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
                   and not p.with_suffix(".truth.json").is_file())
    return [Item(f"{p.parent.name}/{p.name}", "real", p) for p in files]


def _load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- transcription with an ASR cache


class CachedEngine:
    """The default engine behind an on-disk cache of its raw output.

    The model is only loaded on the first cache miss, so a re-run with every transcript
    cached starts in seconds. The key is the pipeline's own ASR key (decoded audio,
    engine, model, decoding options).
    """

    def __init__(self, settings: Settings, cache_dir: Path = ASR_DIR):
        self.settings = settings
        self.cache_dir = cache_dir
        self.name = settings.engine
        self.model_id = ""
        self._engine: Engine | None = None
        self._key = ""  # of the recording being transcribed
        self.asr_seconds = 0.0
        self.audio_seconds = 0.0

    def _real(self) -> Engine:
        if self._engine is None:
            self._engine = get_engine(self.settings.engine, self.settings.model,
                                      device=self.settings.device, threads=THREADS)
        return self._engine

    def transcribe_audio(self, audio: Audio) -> Transcript:
        """``transcribe_audio`` of the pipeline, answering Whisper from the cache when it can."""
        self._key = self.settings.asr_key(audio.sha256)
        return transcribe_audio(audio, Config(root=ROOT), self.settings, engine=self)

    def transcribe(self, wav: Path, duration: float, options: Options,
                   progress: Progress | None = None) -> RawResult:
        path = self.cache_dir / f"{self._key}.json"
        if path.is_file():
            data = _load_json(path)
            self.model_id = data["model"]
            return RawResult(language=data["language"],
                             segments=tuple(Segment.from_dict(s) for s in data["segments"]))
        engine = self._real()
        t0 = time.perf_counter()
        raw = engine.transcribe(wav, duration, options, progress)
        self.asr_seconds += time.perf_counter() - t0
        self.audio_seconds += duration
        self.model_id = engine.model_id
        write_json(path, {"model": engine.model_id, "language": raw.language,
                          "segments": [s.to_dict() for s in raw.segments]})
        return raw


def oracle_transcript(truth: dict[str, Any]) -> Transcript:
    """The script itself as a transcript: one segment per turn, true speakers, no ASR errors.

    Chaptering it separates the chapter stage's own mistakes from those it inherits from
    speech recognition and speaker labelling.
    """
    segments = tuple(Segment(start=t["start"], end=t["end"], text=t["text"], speaker=t["speaker"])
                     for t in truth["turns"])
    return Transcript(language="en", engine="truth", model="script", duration=float(truth["duration"]),
                      segments=segments)


def transcribe_items(items: Sequence[Item], engine: CachedEngine) -> dict[str, Transcript]:
    """Ingest and transcribe every item; keep a labelled copy of each transcript."""
    out: dict[str, Transcript] = {}
    for item in items:
        audio, _stereo = ingest(Recording(path=item.path, slug=slugify(item.path.stem)), CACHE_DIR)
        log.info("transcribing %s (%.0f s)", item.name, audio.duration)
        transcript = engine.transcribe_audio(audio)
        write_json(TRANSCRIPTS_DIR / f"{slugify(item.name)}.json", transcript.to_dict())
        out[item.name] = transcript
    return out


# ---------------------------------------------------------------- metrics


def question_starts(chapters: Iterable[tuple[float, str]]) -> list[float]:
    """The starts that F1 scores: every chapter but the introduction."""
    return [start for start, label in chapters if label != INTRO]


def boundary_f1(truth: Sequence[float], predicted: Sequence[float], tolerance: float) -> float:
    """F1 of one-to-one matches within ``tolerance``, taken greedily by distance."""
    if not truth and not predicted:
        return 1.0
    pairs = sorted((abs(t - p), i, j) for i, t in enumerate(truth) for j, p in enumerate(predicted)
                   if abs(t - p) <= tolerance)
    used_t: set[int] = set()
    used_p: set[int] = set()
    for _, i, j in pairs:
        if i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
    return 2 * len(used_t) / (len(truth) + len(predicted))


def label_at(chapters: Sequence[tuple[float, str]], t: float) -> str:
    starts = [s for s, _ in chapters]
    return chapters[max(0, bisect.bisect_right(starts, t) - 1)][1]


def label_accuracy(truth: Sequence[tuple[float, str]], predicted: Sequence[tuple[float, str]],
                   duration: float) -> float:
    """Share of [0, duration) where the labels agree, from exact interval overlaps."""
    cuts = sorted({0.0, duration, *(s for s, _ in truth), *(s for s, _ in predicted)})
    cuts = [c for c in cuts if 0.0 <= c <= duration]
    agree = sum(b - a for a, b in zip(cuts, cuts[1:])
                if label_at(truth, (a + b) / 2) == label_at(predicted, (a + b) / 2))
    return agree / duration if duration > 0 else 1.0


def question_set(chapters: Iterable[tuple[float, str]]) -> set[str]:
    return {label for _, label in chapters if label not in (INTRO, CLOSING)}


def pk_score(truth: Sequence[tuple[float, str]], predicted: Sequence[tuple[float, str]],
             duration: float) -> float:
    """Pk on a 1 s grid; k is half the mean true segment length (in seconds)."""
    from nltk.metrics.segmentation import pk

    n = max(1, math.ceil(duration))

    def grid(chapters: Sequence[tuple[float, str]]) -> str:
        cells = ["0"] * n
        for start, _ in chapters[1:]:
            cells[min(n - 1, int(start))] = "1"
        return "".join(cells)

    k = max(1, round(duration / len(truth) / 2))
    return pk(grid(truth), grid(predicted), k=k)


def speaker_accuracy(transcript: Transcript, truth: dict[str, Any]) -> float | None:
    """Share of words (by midpoint) labelled with the speaker of the true turn they fall in."""
    turns = truth.get("turns") or []
    starts = [t["start"] for t in turns]
    hits = total = 0
    for seg in transcript.segments:
        for w in seg.words:
            mid = (w.start + w.end) / 2
            i = bisect.bisect_right(starts, mid) - 1
            if i < 0 or mid > turns[i]["end"] + 0.5:
                continue  # a word in a silence: no true speaker
            total += 1
            hits += seg.speaker == turns[i]["speaker"]
    return hits / total if total else None


@dataclass
class Result:
    """One recording chaptered by one scorer."""

    item: Item
    scorer: str
    duration: float
    chapters: tuple[Chapter, ...]
    seconds: float
    metrics: dict[str, float | None] = field(default_factory=dict)

    @property
    def n_questions(self) -> int:
        return sum(ch.question not in (INTRO, CLOSING) for ch in self.chapters)


def score(item: Item, transcript: Transcript, scorer: str, chapters: tuple[Chapter, ...],
          seconds: float) -> Result:
    duration = float(item.truth["duration"]) if item.truth else transcript.duration
    result = Result(item, scorer, duration, chapters, seconds)
    if item.truth is None:
        return result
    truth = [(float(c["start"]), c["question"]) for c in item.truth["chapters"]]
    pred = [(ch.start, ch.question) for ch in chapters]
    t_set, p_set = question_set(truth), question_set(pred)
    m = result.metrics
    for tol in TOLERANCES:
        m[f"f1@{tol:g}"] = boundary_f1(question_starts(truth), question_starts(pred), tol)
    m["label_acc"] = label_accuracy(truth, pred, duration)
    m["q_recall"] = len(t_set & p_set) / len(t_set) if t_set else None
    m["q_precision"] = len(t_set & p_set) / len(p_set) if p_set else None
    m["pk"] = pk_score(truth, pred, duration)
    m["spk_acc"] = speaker_accuracy(transcript, item.truth)
    return result


# ---------------------------------------------------------------- scorers and timing


def default_scorer() -> str:
    """The scorer a default build uses: ``auto`` is ``semantic`` when an embedding model is
    installed (as the bench names it), else ``lexical``."""
    name = str(inspect.signature(chapter_transcript).parameters["scorer"].default)
    if name == "auto":
        from pipeline.chapters.semantic import available_backend

        return "semantic" if available_backend() is not None else "lexical"
    return name


def available_scorers(wanted: Sequence[str], questions: Any) -> dict[str, tuple[Any, float]]:
    """Each scorer the chapters package offers, built once: name -> (scorer, build seconds)."""
    out = {}
    for name in wanted:
        module = f"pipeline.chapters.{name}"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)  # scorer modules register themselves on import
        t0 = time.perf_counter()
        try:
            scorer = make_scorer(name, questions)
        except LearncastError as exc:
            log.warning("scorer %r is not available: %s", name, exc)
            continue
        out[name] = (scorer, time.perf_counter() - t0)
    return out


def run_chapters(transcript: Transcript, questions: Any, scorer: Any) -> tuple[tuple[Chapter, ...], float]:
    t0 = time.perf_counter()
    chapters = chapter_transcript(transcript, questions, scorer=scorer)
    return tuple(chapters), time.perf_counter() - t0


def hour_transcript(transcripts: Sequence[Transcript], target: float = ONE_HOUR) -> Transcript:
    """The given transcripts end to end, repeated until at least ``target`` seconds."""
    segments: list[Segment] = []
    offset = 0.0
    while offset < target:
        for t in transcripts:
            for s in t.segments:
                words = tuple(dataclasses.replace(w, start=w.start + offset, end=w.end + offset)
                              for w in s.words)
                segments.append(dataclasses.replace(s, start=s.start + offset, end=s.end + offset,
                                                    words=words))
            offset += t.duration
    first = transcripts[0]
    return dataclasses.replace(first, duration=offset, segments=tuple(segments), chapters=())


# ---------------------------------------------------------------- report


COLUMNS = (("F1@5s", "f1@5"), ("F1@15s", "f1@15"), ("label acc", "label_acc"), ("Q recall", "q_recall"),
           ("Q prec", "q_precision"), ("Pk", "pk"), ("spk acc", "spk_acc"))


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def interview_table(results: Sequence[Result]) -> list[str]:
    head = ["recording", "dur s", *(c for c, _ in COLUMNS), "ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def row(name: str, dur: float, metrics: dict[str, float | None], ms: float) -> str:
        cells = [name, f"{dur:.0f}", *(_fmt(metrics.get(k)) for _, k in COLUMNS), f"{ms:.0f}"]
        return "| " + " | ".join(cells) + " |"

    evals = [r for r in results if r.item.group in SETS]
    for r in evals:
        lines.append(row(r.item.name, r.duration, r.metrics, 1000 * r.seconds))
    if evals:
        means = {k: mean(r.metrics.get(k) for r in evals) for _, k in COLUMNS}
        lines.append(row(f"**mean of {len(evals)} {evals[0].item.group}**", sum(r.duration for r in evals) / len(evals),
                         means, 1000 * sum(r.seconds for r in evals) / len(evals)))
    for r in results:
        if r.item.group == "sample":
            lines.append(row(r.item.name, r.duration, r.metrics, 1000 * r.seconds))
    return lines


def real_table(results_by_scorer: dict[str, list[Result]]) -> list[str]:
    scorers = list(results_by_scorer)
    head = ["real recording (not an interview)", "dur s", *(f"question chapters ({s})" for s in scorers)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    reals = [[r for r in results_by_scorer[s] if r.item.group == "real"] for s in scorers]
    if not reals or not reals[0]:
        return []
    for rows in zip(*reals):
        cells = [rows[0].item.name, f"{rows[0].duration:.0f}"]
        for r in rows:
            labels = ", ".join(ch.question for ch in r.chapters if ch.question not in (INTRO, CLOSING))
            cells.append(f"{r.n_questions}" + (f" ({labels})" if labels else ""))
        lines.append("| " + " | ".join(cells) + " |")
    totals = [str(sum(r.n_questions for r in rows)) for rows in reals]
    lines.append("| **total** | | " + " | ".join(totals) + " |")
    return lines


def details(results: Sequence[Result]) -> list[str]:
    """Truth against prediction, chapter by chapter, for reading the failures."""
    lines = []
    for r in results:
        if r.item.truth is None:
            continue
        truth = " · ".join(f"{c['question']}@{c['start']:.0f}" for c in r.item.truth["chapters"])
        pred = " · ".join(f"{ch.question}@{ch.start:.0f}({ch.confidence:.2f})" for ch in r.chapters)
        lines += [f"- **{r.item.name}** [{r.scorer}]", f"  - truth: {truth}", f"  - pred:  {pred}"]
    return lines


def report(results_by_scorer: dict[str, list[Result]], build_seconds: dict[str, float],
           hour: dict[str, tuple[float, float]], title: str, source: str) -> str:
    default = default_scorer()
    out = [f"# {title}", "",
           f"Generated by `python -m bench.chapters`; transcripts: {source}; "
           f"default scorer `{default}`. Targets for the default scorer on the evaluation interviews: "
           "F1@5s >= 0.9, label accuracy >= 0.9; chaptering one hour under 10 s.", ""]
    for name, results in results_by_scorer.items():
        out += [f"## Scorer `{name}`" + (" (default)" if name == default else ""), ""]
        out += interview_table(results)
        evals = [r for r in results if r.item.group in SETS]
        if evals:
            from bench.chapter_errors import report_lines

            out += ["", *report_lines(evals)]
        audio = sum(r.duration for r in results)
        secs = sum(r.seconds for r in results)
        hour_secs, hour_len = hour.get(name, (float("nan"), 0.0))
        out += ["", f"Chaptering time: {3600 * secs / audio:.2f} s per hour of audio over {audio / 60:.0f} min; "
                    f"one {hour_len / 60:.0f}-minute transcript in {hour_secs:.2f} s; "
                    f"scorer set-up {build_seconds[name]:.2f} s (once per process).", ""]
        if name == default and evals and evals[0].item.group == "eval":
            f1 = mean(r.metrics["f1@5"] for r in evals) or 0.0
            acc = mean(r.metrics["label_acc"] for r in evals) or 0.0
            verdict = "met" if f1 >= 0.9 and acc >= 0.9 and hour_secs < 10 else "NOT met"
            out += [f"Targets {verdict}: F1@5s {f1:.2f}, label accuracy {acc:.2f}, one hour in {hour_secs:.2f} s.", ""]
        elif name == default and evals:
            f1 = mean(r.metrics["f1@5"] for r in evals) or 0.0
            acc = mean(r.metrics["label_acc"] for r in evals) or 0.0
            out += [(f"Development set (tuning, not the targets): F1@5s {f1:.2f}, label accuracy {acc:.2f}, "
                     f"one hour in {hour_secs:.2f} s."), ""]
    real = real_table(results_by_scorer)
    if real:
        out += ["## Real recordings (target: no question chapters)", "", *real, ""]
    out += ["## Chapters, truth against prediction", ""]
    for results in results_by_scorer.values():
        out += details(results)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chapters", description=__doc__.split("\n")[0])
    parser.add_argument("--set", dest="interview_set", choices=sorted(SETS), default="eval",
                        help="the interviews to score: eval (the default; never tune on it) or dev "
                             "(the development set, for tuning)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the set's interviews first")
    parser.add_argument("--scorer", action="append", help="scorer(s) to run (default: every one available)")
    parser.add_argument("--no-real", action="store_true", help="skip ../shared/realspeech")
    parser.add_argument("--oracle", action="store_true",
                        help="chapter the scripts' own text with true speakers instead of ASR output "
                             "(interviews only; report in bench/work/chapters-oracle.md)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)

    items = set_items(args.interview_set, args.regenerate) + sample_items()
    if not (args.no_real or args.oracle):
        items += real_items()
    engine = CachedEngine(Settings.from_config(Config(root=ROOT), threads=THREADS))
    if args.oracle:
        transcripts = {i.name: oracle_transcript(i.truth) for i in items if i.truth is not None}
    else:
        transcripts = transcribe_items(items, engine)
    if engine.audio_seconds:
        log.info("ASR: %.0f s of audio in %.0f s", engine.audio_seconds, engine.asr_seconds)

    questions = load_questions(None)
    scorers = available_scorers(args.scorer or CANDIDATE_SCORERS, questions)
    if not scorers:
        print("no chapter scorer is available", file=sys.stderr)
        return 1
    results: dict[str, list[Result]] = {}
    hour: dict[str, tuple[float, float]] = {}
    eval_transcripts = [transcripts[i.name] for i in items if i.group == args.interview_set]
    for name, (scorer, _) in scorers.items():
        results[name] = []
        for item in items:
            chapters, secs = run_chapters(transcripts[item.name], questions, scorer)
            results[name].append(score(item, transcripts[item.name], name, chapters, secs))
        if eval_transcripts:
            long = hour_transcript(eval_transcripts)
            _, secs = run_chapters(long, questions, scorer)
            hour[name] = (secs, long.duration)
    dev = args.interview_set == "dev"
    if args.oracle:
        title, source = "Chaptering benchmark on the scripts' own text (oracle)", "script text, true speakers"
    else:
        title = "Chaptering benchmark"
        source = f"{engine.name} {engine.model_id or '(all cached)'} with speaker labelling"
    if dev:
        title += ", development set (for tuning)"
    text = report(results, {n: s[1] for n, s in scorers.items()}, hour, title, source)
    out = REPORT.with_name("chapters" + ("-dev" if dev else "") + ("-oracle" if args.oracle else "") + ".md")
    write_text(out, text)
    print(text)
    print(f"written to {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
