"""The studio's "teach the question set": a thin layer over :mod:`pipeline.chapters.learn`.

``GET /api/recordings/{slug}/learn`` answers the phrasings this recording's corrected
chapters offer (``{"candidates": [{"key", "question", "title", "text", "start"}], "file"}``);
``POST`` with ``{"keys": [...]}`` adds the chosen ones to the workspace's question set and
answers what is left. Nothing is written until a person ticks a phrasing and adds it.
"""

from __future__ import annotations

from typing import Any

from ..chapters import learn, load_questions
from ..errors import UsageError
from ..workspace import Workspace

MAX_KEYS = 1000


def _answer(ws: Workspace, slug: str, written: str = "") -> dict[str, Any]:
    ws = Workspace.open(ws.root)  # the question set learncast.toml names now
    questions = load_questions(ws.config.questions)
    found = learn.candidates(ws, [slug])
    return {"candidates": [{"key": c.key, "question": c.question, "title": questions.by_id[c.question].title,
                            "text": c.text, "start": c.start} for c in found],
            "file": str(ws.config.questions or ""), "written": written}


def learn_data(ws: Workspace, slug: str) -> dict[str, Any]:
    return _answer(ws, slug)


def accept_learned(ws: Workspace, slug: str, body: dict[str, Any]) -> dict[str, Any]:
    keys = body.get("keys")
    if not isinstance(keys, list) or not keys or len(keys) > MAX_KEYS \
            or not all(isinstance(k, str) and k and k.strip().casefold() != "all" for k in keys):
        raise UsageError('give "keys": the phrasings to add, as the list named them')
    chosen = learn.pick(learn.candidates(ws, [slug]), keys)
    path = learn.accept(ws, chosen)
    return _answer(ws, slug, written=str(path or ""))
