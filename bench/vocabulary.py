"""Vocabulary: does prompting Whisper with the names and terms a team knows get them right?

    .venv/bin/python -m bench.vocabulary                        # 9 eval interviews + real clips
    .venv/bin/python -m bench.vocabulary --interviews 3          # the first 3 interviews only
    .venv/bin/python -m bench.vocabulary --engine openai-whisper
    .venv/bin/python -m bench.vocabulary --prompt-as initial_prompt   # faster-whisper's other way

On the evaluation interviews (``scripts/make_eval_interviews.py``, generated into
``bench/work/eval/`` when missing) each interview is transcribed twice with the product's
options: once with no vocabulary, once with the vocabulary a capture team would write in its
sidecar (below: the interviewee's name and role, the place, the programme's terms), merged as
the build merges it (``Settings.for_recording``). Reported: the recall of the listed names and
terms (every term, and every word of a person's name, counted where the script says it; a
hit is the same words in the transcript, case and punctuation aside) and the WER (jiwer after
whisper's EnglishTextNormalizer, all interviews pooled), both ways.

On the real clips in ``../shared/realspeech`` the options with an empty vocabulary are checked
to be exactly the options of before (``Options()``, the same cache key) and the WER is given,
to compare with the transcription section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import re
import sys
import time
from pathlib import Path

from pipeline.models import RecordingMeta
from pipeline.transcribe import Settings
from pipeline.transcribe.engines import get_engine
from pipeline.transcribe.types import Options

from .transcription import REALSPEECH, corpus_wer, machine_lines, prepare_clips

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "bench" / "work" / "eval"
WORK = ROOT / "bench" / "work" / "vocabulary"

#: What a capture team knows before recording each eval interview: its sidecar's keys.
EVAL_META = {
    "eval-01-housing": RecordingMeta(interviewee="Marcus Bell", role="homelessness prevention, Eastbrook",
                                     vocabulary=("Eastbrook", "caseworkers")),
    "eval-02-schools": RecordingMeta(interviewee="Priya Nair", role="attendance lead, Harlow Vale schools",
                                     vocabulary=("Harlow Vale", "trauma informed", "motivational interviewing")),
    "eval-03-library": RecordingMeta(interviewee="Ruth Okafor", role="library service, Millbrook",
                                     vocabulary=("Millbrook", "asset based community development")),
    "eval-04-transport": RecordingMeta(interviewee="Tom Reyes", role="transport planning lead, Westmoor",
                                       vocabulary=("Westmoor",)),
    "eval-05-health": RecordingMeta(interviewee="David", role="health visiting, Kingsford",
                                    vocabulary=("Kingsford", "health visitors")),
    "eval-06-youth": RecordingMeta(interviewee="Jamal Hughes", role="youth service, Ashby",
                                   vocabulary=("Ashby",)),
    "eval-07-digital": RecordingMeta(interviewee="Anna Lindqvist", role="head of digital, Riverside council",
                                     vocabulary=("Riverside",)),
    "eval-08-socialcare": RecordingMeta(interviewee="Grace Mensah", role="adult social care, Dunmore",
                                        vocabulary=("Dunmore",)),
    "eval-09-probation": RecordingMeta(interviewee="Lena Fischer", role="probation office manager",
                                       vocabulary=("desistance theory",)),
}


def words_of(text: str) -> str:
    """Lower case, letters and digits only, one space between words (for matching terms)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def listed_items(meta: RecordingMeta) -> list[str]:
    """What recall is counted on: every listed term and every word of the person's name."""
    items = list(meta.vocabulary) + (meta.interviewee or "").split()
    return list(dict.fromkeys(words_of(i) for i in items if i))


def count(item: str, text: str) -> int:
    return len(re.findall(rf"(?<![0-9a-z]){re.escape(item)}(?![0-9a-z])", text))


def recall(items: list[str], reference: str, hypothesis: str) -> tuple[int, int, list[str]]:
    """(found, listed occurrences, the items missed at least once)."""
    ref, hyp = words_of(reference), words_of(hypothesis)
    found = total = 0
    missed = []
    for item in items:
        n = count(item, ref)
        got = min(n, count(item, hyp))
        found, total = found + got, total + n
        if got < n:
            missed.append(item)
    return found, total, missed


def eval_interviews(limit: int | None) -> list[tuple[str, Path, str]]:
    """(name, 16 kHz WAV, reference text) of the first ``limit`` eval interviews."""
    from pipeline.ffmpeg import run

    sys.path.insert(0, str(ROOT / "scripts"))
    module = importlib.import_module("make_eval_interviews")  # scripts/ is not a package
    chosen = module.INTERVIEWS[:limit] if limit else module.INTERVIEWS
    module.generate_set(chosen, EVAL_DIR, only_missing=True)
    WORK.mkdir(parents=True, exist_ok=True)
    out = []
    for iv in chosen:
        wav = WORK / f"{iv.name}.wav"
        if not wav.is_file():
            run(["-y", "-i", str(EVAL_DIR / f"{iv.name}.mp3"), "-ac", "1", "-ar", "16000",
                 "-c:a", "pcm_s16le", str(wav)], what=wav)
        out.append((iv.name, wav, " ".join(t.text for t in iv.turns)))
    return out


def transcribe(engine, wav: Path, options: Options) -> tuple[str, float]:
    from pipeline.audio import wav_layout

    _, frames, _, rate = wav_layout(wav)
    t0 = time.perf_counter()
    raw = engine.transcribe(wav, frames / rate, options)
    return " ".join(s.text.strip() for s in raw.segments), time.perf_counter() - t0


def run_eval(engine, limit: int | None) -> dict:
    base = Settings()
    rows, refs, hyps = [], [], {"without": [], "with": []}
    for name, wav, reference in eval_interviews(limit):
        meta = EVAL_META[name]
        items = listed_items(meta)
        row = {"interview": name, "vocabulary": list(base.for_recording(meta).vocabulary)}
        for side, options in (("without", base.for_recording(RecordingMeta()).options),
                              ("with", base.for_recording(meta).options)):
            text, seconds = transcribe(engine, wav, options)
            found, total, missed = recall(items, reference, text)
            wer, _ = corpus_wer([reference], [text])
            row[side] = {"found": found, "listed": total, "missed": missed, "wer": wer, "seconds": round(seconds, 1)}
            hyps[side].append(text)
            log.info("%s %s: %d/%d terms, WER %.3f", name, side, found, total, wer)
        refs.append(reference)
        rows.append(row)
    pooled = {side: corpus_wer(refs, hyps[side])[0] for side in hyps}
    return {"rows": rows, "wer": pooled}


def run_real(engine) -> dict:
    """WER on the real clips with an empty vocabulary, whose options must be those of before."""
    empty = Settings().for_recording(RecordingMeta()).options
    assert empty == Options() and empty.key() == "lang=en;beam=5;vad=1;words=1", empty.key()
    WORK.mkdir(parents=True, exist_ok=True)
    clips = prepare_clips(REALSPEECH, WORK)
    texts = [transcribe(engine, Path(c.wav), empty)[0] for c in clips]
    wer, words = corpus_wer([c.reference for c in clips], texts)
    return {"clips": len(clips), "words": words, "wer": wer, "options_key": empty.key()}


def markdown(result: dict) -> str:
    lines = ["| interview | terms found, no vocabulary | with vocabulary | WER no vocabulary | with | still missed |",
             "|---|---|---|---|---|---|"]
    tot = {"without": [0, 0], "with": [0, 0]}
    for r in result["eval"]["rows"]:
        a, b = r["without"], r["with"]
        for side in tot:
            tot[side][0] += r[side]["found"]
            tot[side][1] += r[side]["listed"]
        lines.append(f"| {r['interview']} | {a['found']}/{a['listed']} | {b['found']}/{b['listed']} | "
                     f"{a['wer']:.1%} | {b['wer']:.1%} | {', '.join(b['missed']) or '-'} |")
    w = result["eval"]["wer"]
    lines.append(f"| **all** | **{tot['without'][0]}/{tot['without'][1]}** | **{tot['with'][0]}/{tot['with'][1]}** | "
                 f"**{w['without']:.1%}** | **{w['with']:.1%}** | |")
    if result.get("real"):
        r = result["real"]
        lines.append(f"\nReal clips, empty vocabulary (options `{r['options_key']}`): {r['clips']} clips, "
                     f"{r['words']} words, WER {r['wer']:.1%}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.vocabulary", description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="faster-whisper", choices=("faster-whisper", "openai-whisper"))
    parser.add_argument("--prompt-as", choices=("hotwords", "initial_prompt"),
                        help="faster-whisper only: how the prompt is passed (default: the product's)")
    parser.add_argument("--interviews", type=int, default=None, help="only the first N eval interviews")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-real", action="store_true", help="skip the real clips")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.prompt_as:
        from pipeline.transcribe import engines

        engines.PROMPT_AS = args.prompt_as
    engine = get_engine(args.engine, "", device="cpu", threads=args.threads)
    t0 = time.perf_counter()
    result = {"engine": args.engine, "prompt_as": args.prompt_as, "eval": run_eval(engine, args.interviews)}
    if not args.no_real:
        result["real"] = run_real(engine)
    result["minutes"] = round((time.perf_counter() - t0) / 60, 1)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    sys.stdout.write(markdown(result) + f"\n\n{result['minutes']} min\n")
    sys.stdout.write(machine_lines(argparse.Namespace(threads=args.threads)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
