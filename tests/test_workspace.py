"""Slugs, recording discovery and init."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import UsageError
from pipeline.workspace import Workspace, init_workspace, slugify


@pytest.mark.parametrize("stem,slug", [
    ("Jane Doe – Leeds", "jane-doe-leeds"),
    ("  --Interview #3 (final)!! ", "interview-3-final"),
    ("ÉMILE_Zoë", "mile-zo"),
    ("2026-03-01 Call", "2026-03-01-call"),
    ("..", ""),
])
def test_slug_rule_from_the_cli_contract(stem: str, slug: str):
    assert slugify(stem) == slug


def test_discovery_skips_sidecars_and_reports_clashes(workspace: Path):
    media = workspace / "media"
    for name in ("Jane Doe.mp4", "jane-doe.wav", "Bob.mp3", "Bob.toml", "notes.md",
                 "truth.json", ".hidden.mp4", "---.mp4"):
        (media / name).write_bytes(b"x")
    (media / "Bob.toml").write_text('interviewee = "Bob Smith"\n')
    ws = Workspace.open(workspace)
    recordings, errors = ws.recordings()
    assert [r.slug for r in recordings] == ["bob"]
    assert recordings[0].sidecar.name == "Bob.toml"
    assert recordings[0].meta.interviewee == "Bob Smith"
    messages = [e.one_line() for e in errors]
    assert sum('share the slug "jane-doe"' in m for m in messages) == 2
    assert any("---.mp4" in m and "no letters or digits" in m for m in messages)


def test_bad_sidecar_fails_only_its_recording(workspace: Path):
    media = workspace / "media"
    (media / "a.mp3").write_bytes(b"x")
    (media / "a.toml").write_text("title = 3\n")
    (media / "b.mp3").write_bytes(b"x")
    recordings, errors = Workspace.open(workspace).recordings()
    assert [r.slug for r in recordings] == ["b"]
    assert len(errors) == 1 and "a.toml" in errors[0].one_line() and 'key "title"' in errors[0].one_line()


def test_init_never_overwrites(workspace: Path):
    with pytest.raises(UsageError):
        init_workspace(workspace)
    for name in ("media", "transcripts", "site"):
        assert (workspace / name).is_dir()
