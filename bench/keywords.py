"""Themes: which extractor suggests better keywords per chapter, YAKE or the MiniLM model?

    .venv/bin/python -m bench.keywords [--top 5] [--markdown]

The chapters are those of the evaluation interviews' scripts (``scripts/make_eval_interviews.py``):
each question's chapter is every interviewee turn from the question to the next one (follow-ups
included), the text the product suggests from (:func:`pipeline.themes.chapter_texts` takes the
interviewees' words of a chapter the same way). The script's text is used, not a transcript,
so the comparison is of the extractors, not of speech recognition. Keywords written by hand
for two interviews are in ``bench/data/keywords.truth.toml``; introductions and closings are
not scored.

Each extractor suggests ``--top`` keywords per chapter (``pipeline.keywords.suggest``).
A suggestion matches a hand keyword when their content words, stemmed (Snowball), share a
stem and overlap by half or more (Jaccard >= 0.5): "landlords" matches "private landlords",
"tests" does not match "small tests of change". Strict matching asks for the same stems.
Each hand keyword is matched by one suggestion at most, so two wordings of one idea count
once. Reported, pooled over all chapters: precision (suggestions matched to a hand keyword),
recall (hand keywords matched) and F1, both ways, and the time per chapter. Both extractors
go through the product's own post-filter (``keywords.distinct``: a suggestion that holds or
is held by a better one is dropped).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path

from pipeline import keywords

ROOT = Path(__file__).resolve().parent.parent
TRUTH = ROOT / "bench" / "data" / "keywords.truth.toml"
SKIP = ("intro", "closing", "followup")


def script_chapters(name: str) -> dict[str, str]:
    """Question id -> the interviewees' words in its chapter, from the eval script ``name``."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_eval_interviews import INTERVIEWS  # noqa: E402  (scripts/ is not a package)

    interview = next(i for i in INTERVIEWS if i.name == name)
    out: dict[str, list[str]] = {}
    current = "intro"
    for turn in interview.turns:
        if turn.question and turn.question != "followup":
            current = turn.question
        elif turn.speaker == "interviewee":
            out.setdefault(current, []).append(turn.text)
    return {k: " ".join(v) for k, v in out.items() if k not in SKIP}


stems = keywords.stems


def matches(a: str, b: str, strict: bool = False) -> bool:
    sa, sb = stems(a), stems(b)
    if not sa or not sb:
        return False
    if strict:
        return sa == sb
    return len(sa & sb) / len(sa | sb) >= 0.5


def one_to_one(pred: list[str], gold: list[str], strict: bool) -> int:
    """Matches when each hand keyword can be matched once (greedy, in the suggestions' order)."""
    free, hits = list(gold), 0
    for p in pred:
        g = next((g for g in free if matches(p, g, strict)), None)
        if g is not None:
            free.remove(g)
            hits += 1
    return hits


def score(pairs: list[tuple[list[str], list[str]]], strict: bool) -> dict[str, float]:
    """Pooled precision, recall and F1 over (suggested, hand) pairs, one per chapter, each
    hand keyword matched at most once (two wordings of one keyword count once)."""
    hit_p = hit_g = sum(one_to_one(pred, gold, strict) for pred, gold in pairs)
    n_p = sum(len(pred) for pred, _ in pairs)
    n_g = sum(len(gold) for _, gold in pairs)
    precision, recall = hit_p / max(n_p, 1), hit_g / max(n_g, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def run(top: int) -> dict:
    truth = tomllib.loads(TRUTH.read_text(encoding="utf-8"))
    chapters = [(name, qid, text, truth[name][qid]) for name in truth
                for qid, text in script_chapters(name).items() if qid in truth[name]]
    keywords.suggest("warm up the model once", 1, "minilm")  # loading is not what is timed
    out: dict = {"chapters": len(chapters), "top": top, "extractors": {}}
    for extractor in keywords.EXTRACTORS:
        began = time.perf_counter()
        pairs, shown = [], {}
        for name, qid, text, gold in chapters:
            pred = keywords.suggest(text, top, extractor)
            pairs.append((pred, gold))
            shown[f"{name}/{qid}"] = pred
        seconds = time.perf_counter() - began
        out["extractors"][extractor] = {"lenient": score(pairs, False), "strict": score(pairs, True),
                                        "ms_per_chapter": round(1000 * seconds / len(chapters)),
                                        "suggested": shown}
    return out


def markdown(result: dict) -> str:
    lines = ["| extractor | P (lenient) | R (lenient) | F1 (lenient) | F1 (strict) | ms per chapter |",
             "|---|---|---|---|---|---|"]
    for name, r in result["extractors"].items():
        le, st = r["lenient"], r["strict"]
        lines.append(f"| {name} | {le['precision']:.2f} | {le['recall']:.2f} | **{le['f1']:.2f}** | "
                     f"{st['f1']:.2f} | {r['ms_per_chapter']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.top)
    print(markdown(result) if args.markdown else json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
