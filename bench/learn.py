"""What learning from corrections buys: ``pipeline.chapters.learn`` on the development set.

    .venv/bin/python -m bench.learn [--teach 3] [--scorer NAME ...] [--also eval]

The development interviews (``scripts/make_dev_interviews.py``) go through the real stages
as ``bench.chapters`` runs them (ingest, faster-whisper behind the same ASR cache, speaker
labelling). Then, as a team would:

1. the first ``--teach`` interviews (by name) are "corrected by hand" from their truth:
   every true chapter becomes a corrected chapter;
2. :func:`pipeline.chapters.learn.recording_candidates` offers the interviewer's words at
   each of them, and every offer is accepted into a copy of the built-in question set;
3. the other interviews are chaptered with the built-in set and with the learned one, and
   both are scored against their truth (F1@5s, F1@15s, label accuracy, as ``bench.chapters``
   defines them). ``--also eval`` does step 3 for the evaluation interviews as well, which
   were never used to teach, to see that the learned wordings do not hurt elsewhere.

Prints a Markdown report and writes it to ``bench/work/learn.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from typing import Sequence

from bench.chapters import (CANDIDATE_SCORERS, ROOT, THREADS, WORK, CachedEngine, Item, available_scorers,
                            default_scorer, run_chapters, score, set_items, transcribe_items)
from pipeline.chapters import INTRO, CLOSING, learn, load_questions
from pipeline.chapters.questions import QuestionSet
from pipeline.config import Config
from pipeline.fsutil import write_text
from pipeline.models import Chapter, Transcript
from pipeline.transcribe import Settings

log = logging.getLogger("bench.learn")
REPORT = WORK / "learn.md"
METRICS = ("f1@5", "f1@15", "label_acc")


def truth_chapters(item: Item, questions: QuestionSet) -> tuple[Chapter, ...]:
    """The interview's true chapters, as a person's corrections would leave them."""
    rows = [(float(c["start"]), c["question"]) for c in item.truth["chapters"]]
    end = float(item.truth["duration"])
    out = []
    for i, (start, q) in enumerate(rows):
        stop = rows[i + 1][0] if i + 1 < len(rows) else end
        title = questions.by_id[q].title if q in questions.by_id else q
        out.append(Chapter(start, stop, q, title, 1.0, corrected=True))
    return tuple(out)


def learned_set(teach: Sequence[Item], transcripts: dict[str, Transcript],
                questions: QuestionSet) -> tuple[QuestionSet, list[learn.Candidate]]:
    """The built-in set with every phrasing the taught interviews offer accepted."""
    taken: list[learn.Candidate] = []
    current = questions
    for item in teach:
        t = transcripts[item.name].with_chapters(truth_chapters(item, questions))
        found = learn.recording_candidates(item.name, t, current)
        taken += found
        extra: dict[str, list[str]] = {}
        for c in found:
            extra.setdefault(c.question, []).append(c.text)
        current = QuestionSet(questions=tuple(
            dataclasses.replace(q, phrasings=(*q.phrasings, *extra.get(q.id, ()))) for q in current),
            path=None)
    return current, taken


def mean(values: list[float | None]) -> float:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else float("nan")


def scores(items: Sequence[Item], transcripts: dict[str, Transcript], questions: QuestionSet,
           scorer_name: str) -> dict[str, float]:
    scorer, _ = available_scorers([scorer_name], questions)[scorer_name]
    results = []
    for item in items:
        chapters, secs = run_chapters(transcripts[item.name], questions, scorer)
        results.append(score(item, transcripts[item.name], scorer_name, chapters, secs))
    return {m: mean([r.metrics.get(m) for r in results]) for m in METRICS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learn", description=__doc__.split("\n")[0])
    parser.add_argument("--teach", type=int, default=3, help="interviews corrected by hand and learned from")
    parser.add_argument("--scorer", action="append", help=f"scorer(s) (default: every one of {CANDIDATE_SCORERS})")
    parser.add_argument("--also", action="append", choices=["eval"], default=[],
                        help="also re-chapter this set with the learned wordings")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    dev = sorted(set_items("dev", False), key=lambda i: i.name)
    teach, rest = dev[:args.teach], dev[args.teach:]
    others = {name: set_items(name, False) for name in args.also}
    engine = CachedEngine(Settings.from_config(Config(root=ROOT), threads=THREADS))
    transcripts = transcribe_items([*dev, *(i for items in others.values() for i in items)], engine)
    builtin = load_questions(None)
    learned, taken = learned_set(teach, transcripts, builtin)

    lines = ["# Learning from corrections", "",
             f"Taught from {len(teach)} development interviews ({', '.join(i.name for i in teach)}), "
             f"corrected from their truth; {len(taken)} wordings learned. Scored on the other "
             f"{len(rest)} development interviews" + (f" and on {', '.join(others)}" if others else "") +
             f"; ASR: {engine.name} {engine.model_id or '(all cached)'} with speaker labelling.", "",
             "| set | scorer | question set | F1@5s | F1@15s | label acc |", "|---|---|---|---|---|---|"]
    sets = {"dev (rest)": rest, **others}
    for scorer_name in args.scorer or [default_scorer(), *(s for s in CANDIDATE_SCORERS if s != default_scorer())]:
        for set_name, items in sets.items():
            for label, qs in (("built-in", builtin), ("learned", learned)):
                m = scores(items, transcripts, qs, scorer_name)
                lines.append(f"| {set_name} | {scorer_name} | {label} | " +
                             " | ".join(f"{m[k]:.3f}" for k in METRICS) + " |")
    lines += ["", "Learned wordings:", ""]
    lines += [f"- {c.question}: \"{c.text}\" ({c.slug})" for c in taken
              if c.question not in (INTRO, CLOSING)]
    text = "\n".join(lines) + "\n"
    write_text(REPORT, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
