"""A workspace built by Learncast 0.1.0 moves to the current layout with nothing lost.

``tests/data/workspace-0.1.0`` was made by the previous release (see its README): a
hand-edited, chapter-corrected, redacted, consented and reviewed interview, and an
untouched one, with the feed that release published. The current code builds a copy and
must keep every edit, guid, date and decision, without transcribing or chaptering again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import Counter, recording_data
from pipeline import build, chapters, transcribe
from pipeline.migrate import MOVED_KEYS, migrate_workspace
from pipeline.status import recording_states
from pipeline.workspace import Workspace

OLD = Path(__file__).resolve().parent / "data" / "workspace-0.1.0"
NOW = dt.datetime(2026, 12, 24, 9, 0, tzinfo=dt.timezone.utc)
PERSON_FILES = ("helen-ward/chapters.edit.toml", "helen-ward/redactions.toml", "helen-ward/consent.toml")


def _items(feed: str) -> dict[str, tuple[str, str]]:
    """guid -> (title, pubDate) of each feed item."""
    out = {}
    for item in re.findall(r"<item>(.*?)</item>", feed, re.S):
        guid = re.search(r"<guid[^>]*>([^<]+)</guid>", item).group(1)
        out[guid] = (re.search(r"<title>([^<]*)</title>", item).group(1),
                     re.search(r"<pubDate>([^<]*)</pubDate>", item).group(1))
    return out


@pytest.fixture
def upgraded(tmp_path: Path, monkeypatch) -> dict:
    root = tmp_path / "ws"
    shutil.copytree(OLD, root)
    before = {name: json.loads((root / "transcripts" / name / "transcript.json").read_text(encoding="utf-8"))
              for name in ("helen-ward", "second-part")}
    work = {"asr": Counter(monkeypatch, transcribe, "transcribe_audio"),
            "chapter": Counter(monkeypatch, chapters, "chapter_transcript")}
    report = build.run(Workspace.open(root), now=NOW)
    return {"root": root, "before": before, "report": report, "work": work}


def test_the_old_workspace_builds_without_redoing_any_work(upgraded):
    report = upgraded["report"]
    assert report.exit_code == 0, [r.message for r in report.failed]
    assert sorted(report.published) == ["helen-ward", "second-part"]
    assert upgraded["work"]["asr"].calls == 0 and upgraded["work"]["chapter"].calls == 0


def test_every_guid_title_and_date_in_the_feed_is_kept(upgraded):
    old = _items((OLD / "feed-0.1.0.xml").read_text(encoding="utf-8"))
    new = _items((upgraded["root"] / "site" / "feed.xml").read_text(encoding="utf-8"))
    assert len(old) == 2 and new == old
    for slug, data in upgraded["before"].items():
        assert recording_data(upgraded["root"], slug)["guid"] == data["guid"]


def test_the_person_s_edits_and_decisions_are_kept(upgraded):
    root = upgraded["root"]
    for name in PERSON_FILES:
        assert (root / "transcripts" / name).read_bytes() == (OLD / "transcripts" / name).read_bytes(), name
    helen = json.loads((root / "transcripts" / "helen-ward" / "transcript.json").read_text(encoding="utf-8"))
    old = upgraded["before"]["helen-ward"]
    assert helen["format"] == 2 and not set(MOVED_KEYS) & set(helen) and "chapters" not in helen
    assert helen["segments"] == old["segments"] and helen["checksum"] == old["checksum"]
    assert "The ward nurses mattered most." in json.dumps(helen["segments"])
    assert transcribe.is_hand_edited(helen)  # still the person's: never re-transcribed
    view = recording_data(root, "helen-ward")
    assert view["reviewed"] is True and view["reviewed_at"] == old["reviewed_at"]
    assert [c["title"] for c in view["chapters"]] == [c["title"] for c in old["chapters"]]
    assert "Who mattered" in [c["title"] for c in view["chapters"]]
    page = (root / "site" / "episodes" / "helen-ward" / "index.html").read_text(encoding="utf-8")
    assert "The ward nurses mattered most." in page and "Northfield City Council" not in page
    # 0.1.0 published "11 days" although "eleven days" was cut: the cut now takes it everywhere
    assert "11 days" in (OLD / "feed-0.1.0.xml").read_text(encoding="utf-8") or "11 days" in json.dumps(old)
    from test_consent import site_text_hits
    assert site_text_hits(root / "site" / "episodes" / "helen-ward", "11 days") == []
    assert "Who mattered" in page
    rows = {r.slug: r for r in recording_states(Workspace.open(root))}
    assert rows["helen-ward"].state == "published" and "reviewed" in rows["helen-ward"].detail
    assert "edited by hand" in rows["helen-ward"].detail


def test_the_untouched_transcript_keeps_its_machine_chapters_and_words(upgraded):
    root = upgraded["root"]
    old = upgraded["before"]["second-part"]
    new = json.loads((root / "transcripts" / "second-part" / "transcript.json").read_text(encoding="utf-8"))
    assert new["segments"] == old["segments"] and not transcribe.is_hand_edited(new)
    assert recording_data(root, "second-part")["chapters"] == old["chapters"]


def test_a_second_build_changes_nothing_in_transcripts(upgraded):
    root = upgraded["root"]

    def sums() -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((root / "transcripts").rglob("*")) if p.is_file()}

    before = sums()
    assert build.run(Workspace.open(root), now=NOW).exit_code == 0
    assert sums() == before
    assert migrate_workspace(Workspace.open(root)) == []  # nothing left to move
