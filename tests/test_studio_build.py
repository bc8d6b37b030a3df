"""Build and preview from the studio, over real HTTP (pipeline/studio/builds.py).

POST /api/build runs the same build as `learncast build` on a thread, GET /api/build is its
progress; a second start returns the running build; a recording that fails shows its one-line
message; a build held off by another command's workspace lock says so at once; a person's save
during a build is not held up; and /site/ serves the built site, confined to site/.

The slow build is real: a second recording is transcribed by a gated engine that reports
half its progress, then waits until the test lets it go.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import ROOT, FakeEngine, make_tone
from test_studio import SLUG, Running, built, edit_word, running, ws  # noqa: F401 - fixtures

OPTIONS = {"engine": "fake", "jobs": 1, "scorer": "lexical"}


class GatedEngine(FakeEngine):
    """The fake engine, but it reports half the audio done and then waits for ``gate``.
    Registered as "fake", so the recording the fake engine transcribed is not done again."""

    gate = threading.Event()
    waiting = threading.Event()

    def transcribe(self, wav, duration, options, progress=None):
        if progress:
            progress(duration / 2)
        GatedEngine.waiting.set()
        GatedEngine.gate.wait(60)
        return super().transcribe(wav, duration, options, progress)


@pytest.fixture
def gated(no_speakers) -> Iterator[type[GatedEngine]]:
    from pipeline.transcribe.engines import register_engine, unregister_engine

    GatedEngine.gate, GatedEngine.waiting = threading.Event(), threading.Event()
    register_engine("fake", GatedEngine)
    yield GatedEngine
    GatedEngine.gate.set()  # never leave a build thread waiting
    unregister_engine("fake")


@pytest.fixture
def live(ws: Path, gated) -> Iterator[Running]:  # noqa: F811
    with running(ws, build_options=OPTIONS) as s:
        yield s


def progress(live: Running) -> dict[str, Any]:
    status, body = live.json("GET", "/api/build")
    assert status == 200, body
    return body


def wait_for(live: Running, test, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = progress(live)
        if test(body):
            return body
        time.sleep(0.1)
    pytest.fail(f"the build never got there: {body}")


def ended(body: dict[str, Any]) -> bool:
    return body["build"] is not None and body["build"]["state"] != "running"


def row(body: dict[str, Any], slug: str) -> dict[str, Any]:
    found = [r for r in body["build"]["recordings"] if r["slug"] == slug]
    assert found, (slug, json.dumps(body))
    return found[0]


# ---------------------------------------------------------------- the build


def test_before_any_build_there_is_no_build_and_no_site(live: Running):
    assert progress(live) == {"build": None, "site": None}


def test_a_build_reports_progress_a_second_start_returns_it_and_it_finishes(live: Running, gated):
    make_tone(live.root / "media" / "slow.wav", 6.0)
    status, first = live.json("POST", "/api/build")
    assert status == 202 and first["started"] is True, first
    assert gated.waiting.wait(30), "the build never reached the speech engine"
    body = wait_for(live, lambda b: row(b, "slow")["fraction"] > 0.05)
    build = body["build"]
    assert build["state"] == "running" and build["number"] == first["build"]["number"]
    slow = row(body, "slow")
    assert slow["stage"] == "transcribe" and slow["stage_name"] == "transcribing" and slow["ok"] is None
    assert 0.4 < slow["fraction"] < 0.6  # half the audio heard: 0.05 + 0.85 / 2
    assert 0 < build["fraction"] < 1 and build["planned"] == 2

    status, again = live.json("POST", "/api/build")
    assert status == 200 and again["started"] is False
    assert again["build"]["number"] == build["number"] and again["build"]["state"] == "running"
    from pipeline.studio import editlog
    from pipeline.studio.security import local_user

    logged = [e for e in editlog.read(live.root / ".learncast" / "state") if e["action"] == "POST build"]
    assert [(e["user"], e["slug"]) for e in logged] == [(local_user(), None)], "one build started, logged once"
    assert build["by"] == local_user()

    gated.gate.set()
    body = wait_for(live, ended)
    build = body["build"]
    assert build["state"] == "finished" and build["error"] == "" and build["done"] == 2, build
    assert sorted(build["published"]) == ["jane-doe", "slow"]
    assert body["site"] == "/site/index.html"
    for slug in ("jane-doe", "slow"):
        r = row(body, slug)
        assert r["ok"] is True and r["page"] == f"/site/episodes/{slug}/index.html" and r["state"] == "published"
        status, headers, html = live.request("GET", r["page"])
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert (live.root / "site" / "episodes" / slug / "index.html").read_bytes() == html
    assert row(body, "jane-doe")["title"].startswith("Discharge")
    status, _, index = live.request("GET", "/site/index.html")
    assert status == 200 and b"Studio Show" in index


def test_a_save_during_a_running_build_is_not_held_up(live: Running, gated):
    make_tone(live.root / "media" / "slow.wav", 6.0)
    assert live.json("POST", "/api/build")[0] == 202
    assert gated.waiting.wait(30)
    t = live.load()
    started = time.monotonic()
    status, saved = live.save(t["version"], edit_word(t["data"], 2, "broke", "bent"))
    took = time.monotonic() - started
    assert status == 200, saved
    assert took < 1.0, f"the save waited {took:.2f} s on the build"
    assert progress(live)["build"]["state"] == "running", "the build was still running during the save"
    gated.gate.set()
    body = wait_for(live, ended)
    assert body["build"]["state"] == "finished", body
    assert "We bent the rule" in live.transcript.read_text(encoding="utf-8"), "the build kept the person's edit"
    # the build had published jane-doe before the save; the next build publishes the edit
    assert live.json("POST", "/api/build")[0] == 202
    assert wait_for(live, ended)["build"]["state"] == "finished"
    vtt = list((live.root / "site" / "episodes" / SLUG).glob("*.vtt"))
    assert vtt and any("We bent the rule" in p.read_text(encoding="utf-8") for p in vtt)


def test_a_recording_that_fails_shows_its_one_line_message_and_the_others_publish(live: Running):
    (live.root / "media" / "broken.wav").write_bytes(b"RIFF\0\0\0\0WAVEnot really audio")
    assert live.json("POST", "/api/build")[0] == 202
    body = wait_for(live, ended)
    assert body["build"]["state"] == "finished"
    broken = row(body, "broken")
    assert broken["ok"] is False and broken["stage"] == "failed"
    assert "broken.wav" in broken["message"] and "Fix: " in broken["message"]
    assert "\n" not in broken["message"]
    assert row(body, SLUG)["ok"] is True and row(body, SLUG)["page"]


@pytest.fixture
def held_lock(ws: Path) -> Iterator[None]:  # noqa: F811
    """Another learncast command (its own process) holding the workspace's build lock."""
    code = ("import sys; from pipeline.workspace import Workspace, workspace_lock\n"
            "with workspace_lock(Workspace.open(sys.argv[1])):\n"
            "    print('held', flush=True); sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(ws)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout.readline().strip() == "held"
        yield
    finally:
        proc.stdin.close()
        proc.wait(10)
        proc.stdout.close()


@pytest.mark.usefixtures("held_lock")
def test_a_build_already_running_elsewhere_is_a_clear_message_not_a_hang(live: Running):
    started = time.monotonic()
    assert live.json("POST", "/api/build")[0] == 202
    body = wait_for(live, ended, timeout=10)
    assert time.monotonic() - started < 5
    build = body["build"]
    assert build["state"] == "failed"
    assert "another learncast command is working on this workspace" in build["error"]
    assert "Fix: wait for it to finish" in build["error"]
    assert not (live.root / "site" / "index.html").exists()


def test_starting_a_build_needs_the_studios_origin_and_csrf_token(live: Running):
    status, _ = live.json("POST", "/api/build", headers={"X-CSRF-Token": "wrong"})
    assert status == 403
    status, _ = live.json("POST", "/api/build", headers={"Origin": "http://evil.example"})
    assert status == 403
    assert live.request("GET", "/api/build", auth=False)[0] == 403
    assert progress(live)["build"] is None


# ---------------------------------------------------------------- the site, read-only and confined


@pytest.fixture
def site(live: Running, tmp_path: Path) -> Path:
    """A site/ written by hand (the confinement does not need a real build), and a secret outside it."""
    site = live.root / "site"
    (site / "episodes" / SLUG).mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>the index</title>", encoding="utf-8")
    (site / "episodes" / SLUG / "index.html").write_text("<!doctype html><title>the episode</title>")
    (site / "episodes" / SLUG / "captions.vtt").write_text("WEBVTT\n")
    (site / "episodes" / SLUG / "audio.mp3").write_bytes(bytes(range(256)) * 40)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("the secret outside the site")
    return site


def test_the_site_is_served_under_the_studio(live: Running, site: Path):
    status, headers, body = live.request("GET", "/site/index.html")
    assert status == 200 and body == b"<!doctype html><title>the index</title>"
    policy = dict(d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";"))
    assert policy["script-src"].startswith("'self'") and "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert live.request("GET", "/site/")[2] == body
    status, headers, _ = live.request("GET", "/site")
    assert status == 307 and headers["location"] == "/site/"
    status, headers, _ = live.request("GET", f"/site/episodes/{SLUG}")
    assert status == 307 and headers["location"] == f"/site/episodes/{SLUG}/"
    assert live.request("GET", f"/site/episodes/{SLUG}/")[2] == b"<!doctype html><title>the episode</title>"
    status, headers, _ = live.request("GET", f"/site/episodes/{SLUG}/captions.vtt")
    assert status == 200 and headers["content-type"].startswith("text/vtt")
    status, headers, part = live.request("GET", f"/site/episodes/{SLUG}/audio.mp3", headers={"Range": "bytes=10-19"})
    assert status == 206 and part == bytes(range(10, 20)) and headers["content-type"] == "audio/mpeg"


def test_the_site_needs_the_token_and_is_read_only(live: Running, site: Path):
    assert live.request("GET", "/site/index.html", auth=False)[0] == 403
    before = (site / "index.html").read_bytes()
    for method in ("PUT", "POST", "DELETE"):
        status, _, _ = live.request(method, "/site/index.html", raw=b"overwritten")
        assert status == 405, method
    assert (site / "index.html").read_bytes() == before


@pytest.mark.parametrize("path", [
    "/site/../learncast.toml", "/site/%2e%2e/learncast.toml", "/site/..%2Flearncast.toml",
    "/site/episodes/..%2F..%2Flearncast.toml", "/site/episodes/%2e%2e/%2e%2e/learncast.toml",
    "/site/%2Fetc%2Fpasswd", "/site//etc/passwd", "/site/..\\learncast.toml", "/site/index.html%00.txt",
    "/site/./index.html", "/site/nothing-here.html",
])
def test_a_path_out_of_the_site_is_refused(live: Running, site: Path, path: str):
    status, _, body = live.request("GET", path)
    assert status == 404, (path, status, body)
    assert b"title =" not in body and b"root:" not in body


def test_a_symlink_out_of_the_site_is_refused(live: Running, site: Path, tmp_path: Path):
    outside = tmp_path / "outside"
    (site / "leak.txt").symlink_to(outside / "secret.txt")
    (site / "linked").symlink_to(outside)
    (site / "episodes" / "up").symlink_to(live.root)
    for path in ("/site/leak.txt", "/site/linked/secret.txt", "/site/linked/", "/site/episodes/up/learncast.toml"):
        status, _, body = live.request("GET", path)
        assert status == 404, path
        assert b"secret" not in body and b"title =" not in body
    # a site/ that is itself a link elsewhere is not served either
    shutil.rmtree(site)
    (live.root / "site").symlink_to(outside)
    assert live.request("GET", "/site/secret.txt")[0] == 404


def test_each_build_reads_learncast_toml_afresh_and_a_broken_one_is_its_one_line(live: Running):
    """As `learncast build` does: a setting changed while the studio runs is used, a broken one reported."""
    config = live.root / "learncast.toml"
    text = config.read_text(encoding="utf-8")
    assert 'title = "Studio Show"' in text
    config.write_text(text.replace('title = "Studio Show"', 'title = "Renamed Show"'), encoding="utf-8")
    assert live.json("POST", "/api/build")[0] == 202
    assert wait_for(live, ended)["build"]["state"] == "finished"
    assert b"Renamed Show" in live.request("GET", "/site/index.html")[2]
    config.write_text(text + "\n[broken\n", encoding="utf-8")
    assert live.json("POST", "/api/build")[0] == 202
    build = wait_for(live, ended)["build"]
    assert build["state"] == "failed" and "learncast.toml" in build["error"] and "not valid TOML" in build["error"]
    assert "\n" not in build["error"]
