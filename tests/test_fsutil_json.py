"""fsutil.write_json writes what ``json.dumps(indent=2, ensure_ascii=False)`` writes, through
orjson when it is there (a 90-minute transcript: 3 ms instead of 100) and the standard
library when it is not or cannot take the data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import fsutil

DATA = {
    "format": 2, "language": "en", "duration": 5400.0, "reviewed": False, "chapters": [], "extra": {},
    "speakers": {"interviewer": "Sam Carter", "interviewee": "Zoë O’Brien"},
    "segments": [{"start": 1.336, "end": 8.296, "speaker": "interviewer",
                  "text": 'Tab\there, "quotes", back\\slash, </script>, \u2028 and \x00\x1f',
                  "words": [{"start": 1.336, "end": 1.896, "word": " Hello,", "probability": 0.7188},
                            {"start": 2.0, "end": 2.5, "word": " 😀", "probability": 1.0}]}],
    "none": None, "negative": -0.0, "big": 12345678901234567, "small": 0.0001,
}


@pytest.mark.parametrize("with_orjson", [True, False])
def test_the_text_is_the_standard_librarys(tmp_path: Path, monkeypatch, with_orjson: bool):
    if with_orjson and fsutil.orjson is None:
        pytest.skip("orjson is not installed")
    if not with_orjson:
        monkeypatch.setattr(fsutil, "orjson", None)
    path = tmp_path / "t.json"
    fsutil.write_json(path, DATA)
    assert path.read_text(encoding="utf-8") == json.dumps(DATA, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(path.read_text(encoding="utf-8")) == DATA


def test_what_orjson_cannot_take_goes_to_the_standard_library(tmp_path: Path):
    data = {"huge": 2 ** 70, "words": [1, 2]}  # orjson takes 64-bit integers only
    fsutil.write_json(tmp_path / "t.json", data)
    assert (tmp_path / "t.json").read_text(encoding="utf-8") == json.dumps(data, indent=2) + "\n"
