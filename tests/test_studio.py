"""``learncast studio``: its guard, saving a transcript, its pages and the person's decisions,
all over real HTTP against a uvicorn server on 127.0.0.1 (a thread here, or the
``learncast studio`` command as a subprocess where the test kills it).

The workspace is one tone transcribed by the fake engine (tests/conftest.py), with two
words made uncertain and hostile text in its sidecar and transcript.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import ROOT, FakeEngine, make_tone

SLUG = "jane-doe"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
SIDECAR = f'''# the team's notes: keep this comment
title = 'Discharge {HOSTILE}'
interviewee = "Jane Doe"   # as she asked to be named
date = 2026-03-01
'''


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A workspace with one transcribed recording (the fake engine, no speaker model)."""
    import dataclasses

    from pipeline import build, transcribe
    from pipeline.transcribe import read_transcript_file, write_transcript_file
    from pipeline.transcribe.engines import register_engine, unregister_engine
    from pipeline.workspace import Workspace, init_workspace

    root = tmp_path_factory.mktemp("studio") / "ws"
    init_workspace(root, "Studio Show")
    make_tone(root / "media" / f"{SLUG}.wav", 8.0)
    (root / "media" / f"{SLUG}.toml").write_text(SIDECAR, encoding="utf-8")

    def label(segments, audio, stereo):
        return tuple(dataclasses.replace(s, speaker="interviewer" if "?" in s.text or i == 0 else "interviewee")
                     for i, s in enumerate(segments))

    register_engine("fake", FakeEngine)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(transcribe, "label_speakers", label)
        report = build.run(Workspace.open(root), ("ingest", "transcribe"), engine="fake")
    unregister_engine("fake")
    assert report.exit_code == 0, [r.message for r in report.results]
    path = root / "transcripts" / SLUG / "transcript.json"
    data = read_transcript_file(path)
    data["segments"][2]["words"][1]["probability"] = 0.2   # "broke"
    data["segments"][2]["words"][6]["probability"] = 0.3   # "referral"
    data["segments"][3]["words"][0]["word"] = " " + HOSTILE
    data["segments"][3]["text"] = HOSTILE + " " + data["segments"][3]["text"].split(" ", 1)[1]
    write_transcript_file(path, data, machine=True)  # still the machine's transcript
    return root


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(built, root, symlinks=True)
    return root


class Running:
    """A studio answering on 127.0.0.1:port, and a small HTTP client for it."""

    def __init__(self, root: Path, port: int, keys, address: str):
        self.root, self.port, self.keys, self.address = root, port, keys, address

    @property
    def transcript(self) -> Path:
        return self.root / "transcripts" / SLUG / "transcript.json"

    def request(self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
                auth: bool = True, raw: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        h = {"Host": f"127.0.0.1:{self.port}"}
        if auth:
            h["Cookie"] = f"learncast_studio={self.keys.token}"
        if method not in ("GET", "HEAD") and auth:
            h.update({"Origin": f"http://127.0.0.1:{self.port}", "X-CSRF-Token": self.keys.csrf})
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, body: Any = None, **kw) -> tuple[int, Any]:
        status, _, data = self.request(method, path, body, **kw)
        return status, json.loads(data) if data else None

    def load(self) -> dict[str, Any]:
        status, body = self.json("GET", f"/api/recordings/{SLUG}/transcript")
        assert status == 200, body
        return body

    def save(self, version: str, data: dict[str, Any]) -> tuple[int, Any]:
        return self.json("PUT", f"/api/recordings/{SLUG}/transcript",
                         {"version": version, "speakers": data["speakers"], "segments": data["segments"]})


@contextmanager
def running(root: Path, **options) -> Iterator[Running]:
    """``root``'s studio served by uvicorn on a thread, on a free port of 127.0.0.1."""
    from pipeline import studio
    from pipeline.studio.app import create_app
    from pipeline.studio.security import Secrets
    from pipeline.workspace import Workspace

    sock = studio.bind(0)
    keys = Secrets()
    host, port = sock.getsockname()[:2]
    keys.listen_on(host, port)
    app = create_app(Workspace.open(root), keys, **options)
    try:
        with serving(app, sock):
            yield Running(root, port, keys, host)
    finally:
        sock.close()


@contextmanager
def serving(app, sock) -> Iterator[None]:
    """``app`` served by uvicorn on a thread on ``sock`` until the block ends."""
    from pipeline import studio

    server = studio.server(app, sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the studio did not start"
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live(ws: Path) -> Iterator[Running]:
    with running(ws) as s:
        yield s


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit_word(data: dict[str, Any], seg: int, old: str, new: str) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    text = data["segments"][seg]["text"]
    assert old in text
    data["segments"][seg]["text"] = text.replace(old, new, 1)
    return data


# ---------------------------------------------------------------- security


def test_it_listens_on_the_loopback_address_only(live: Running):
    assert live.address == "127.0.0.1"


def test_the_command_prints_a_loopback_url_with_the_token(ws: Path):
    with studio_process(ws) as (proc, url, _):
        assert url.startswith("http://127.0.0.1:") and "?token=" in url
        assert len(url.split("?token=")[1]) >= 32


def test_a_request_without_the_token_is_refused(live: Running):
    assert live.request("GET", "/", auth=False)[0] == 403
    assert live.request("GET", f"/api/recordings/{SLUG}/transcript", auth=False)[0] == 403
    assert live.request("GET", f"/media/{SLUG}", auth=False)[0] == 403
    assert live.request("GET", "/", auth=False, headers={"Cookie": "learncast_studio=guess"})[0] == 403
    assert live.request("GET", "/?token=guess", auth=False)[0] == 403


def test_the_token_in_the_url_becomes_a_strict_httponly_cookie_and_leaves_the_url(live: Running):
    status, headers, _ = live.request("GET", f"/recordings/{SLUG}?token={live.keys.token}", auth=False)
    assert status == 303
    assert headers["location"] == f"/recordings/{SLUG}"
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"learncast_studio={live.keys.token}")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    status, _, _ = live.request("GET", headers["location"], auth=False,
                                headers={"Cookie": cookie.split(";")[0]})
    assert status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "0.0.0.0:{port}", ""])
def test_a_foreign_host_header_is_refused(live: Running, host: str):
    """DNS rebinding: a page on another domain re-pointed at 127.0.0.1 sends its own Host."""
    status, _, body = live.request("GET", "/", headers={"Host": host.format(port=live.port)})
    assert status == 421, body
    assert live.request("GET", "/", headers={"Host": f"localhost:{live.port}"})[0] == 200


@pytest.mark.parametrize("origin, csrf", [
    (None, "right"), ("http://evil.example", "right"), ("null", "right"), ("http://127.0.0.1:1", "right"),
    ("right", None), ("right", "wrong"), ("right", ""),
])
def test_a_change_needs_the_studios_origin_and_csrf_token(live: Running, origin, csrf):
    before = live.transcript.read_bytes()
    t = live.load()
    data = edit_word(t["data"], 2, "broke", "bent")
    headers = {"Origin": f"http://127.0.0.1:{live.port}" if origin == "right" else origin,
               "X-CSRF-Token": live.keys.csrf if csrf == "right" else csrf}
    status, body = live.json("PUT", f"/api/recordings/{SLUG}/transcript",
                             {"version": t["version"], **{k: data[k] for k in ("speakers", "segments")}},
                             headers=headers)
    assert status == 403, body
    assert live.transcript.read_bytes() == before
    status, _ = live.json("POST", f"/api/recordings/{SLUG}/review", {"by": "Mallory"}, headers=headers)
    assert status == 403
    assert not (live.root / "transcripts" / SLUG / "review.toml").exists()


@pytest.mark.parametrize("path", [
    "/api/recordings/..%2F..%2Fetc/transcript", "/api/recordings/../../etc/passwd",
    "/api/recordings/%2Fetc%2Fpasswd/transcript", "/recordings/Jane-Doe", "/recordings/jane--doe",
    "/recordings/jane-doe%00", "/media/..%2Flearncast.toml", "/media/not-a-recording",
    "/api/recordings/.learncast/transcript",
])
def test_only_the_workspaces_own_recordings_are_reachable(live: Running, path: str):
    status, _, body = live.request("GET", path)
    assert status == 404, (path, body)
    assert b"root:" not in body and b"title =" not in body


def test_symlinks_out_of_the_workspace_are_refused(live: Running, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.wav"
    shutil.copy(live.root / "media" / f"{SLUG}.wav", secret)
    (live.root / "media" / "linked.wav").symlink_to(secret)
    assert live.request("GET", "/media/linked")[0] == 404
    assert live.request("GET", "/recordings/linked")[0] == 404
    # a real recording whose transcripts folder is a link to somewhere else
    shutil.copy(live.root / "media" / f"{SLUG}.wav", live.root / "media" / "other.wav")
    shutil.copytree(live.root / "transcripts" / SLUG, outside / "t")
    (live.root / "transcripts" / "other").symlink_to(outside / "t")
    before = (outside / "t" / "transcript.json").read_bytes()
    assert live.request("GET", "/api/recordings/other/transcript")[0] == 404
    t = live.load()
    assert live.json("PUT", "/api/recordings/other/transcript",
                     {"version": hashlib.sha256(before).hexdigest(), "speakers": t["data"]["speakers"],
                      "segments": []})[0] == 404
    assert (outside / "t" / "transcript.json").read_bytes() == before


def test_a_request_body_over_the_limit_is_refused(ws: Path):
    with running(ws, max_body=4096) as live:
        before = live.transcript.read_bytes()
        big = b'{"version": "x", "segments": [], "speakers": {}, "pad": "' + b"a" * 10_000 + b'"}'
        status, _, _ = live.request("PUT", f"/api/recordings/{SLUG}/transcript", raw=big)
        assert status == 413
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=20)  # no Content-Length: chunked
        conn.putrequest("PUT", f"/api/recordings/{SLUG}/transcript", skip_host=True)
        for k, v in {"Host": f"127.0.0.1:{live.port}", "Cookie": f"learncast_studio={live.keys.token}",
                     "Origin": f"http://127.0.0.1:{live.port}", "X-CSRF-Token": live.keys.csrf,
                     "Transfer-Encoding": "chunked", "Content-Type": "application/json"}.items():
            conn.putheader(k, v)
        conn.endheaders()
        for _ in range(5):
            conn.send(b"800\r\n" + b"a" * 0x800 + b"\r\n")
        conn.send(b"0\r\n\r\n")
        assert conn.getresponse().status == 413
        conn.close()
        assert live.transcript.read_bytes() == before


def test_hostile_text_is_escaped_in_the_pages(live: Running):
    for path in ("/", f"/recordings/{SLUG}"):
        status, headers, body = live.request("GET", path)
        html = body.decode()
        assert status == 200
        assert "<script>window.__pwned" not in html and "<img src=x" not in html
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
    status, headers, _ = live.request("GET", f"/api/recordings/{SLUG}/transcript")
    assert headers["content-type"].startswith("application/json")


def test_the_script_puts_data_in_the_page_only_as_text():
    import re

    scripts = sorted((ROOT / "pipeline" / "studio" / "static").glob("*.js"))
    assert "studio.js" in [p.name for p in scripts]
    for script in scripts:
        code = re.sub(r"^\s*//.*$", "", script.read_text(), flags=re.M)
        for sink in (".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in code, f"{script.name}: {sink}"


# ---------------------------------------------------------------- saving a transcript


def test_the_transcript_comes_with_its_version(live: Running):
    t = live.load()
    assert t["version"] == sha(live.transcript)
    assert t["data"]["segments"][2]["text"].startswith("We broke the rule")


def test_a_save_is_written_as_a_persons_edit_and_acknowledged_with_the_new_version(live: Running):
    from pipeline.transcribe import is_hand_edited, read_transcript_file

    t = live.load()
    before = read_transcript_file(live.transcript)
    data = edit_word(t["data"], 2, "broke", "bent")
    data["speakers"]["interviewee"] = "Jane Doe"
    status, body = live.save(t["version"], data)
    assert status == 200, body
    assert body["version"] == sha(live.transcript) != t["version"]
    saved = read_transcript_file(live.transcript)
    assert saved["segments"][2]["text"].startswith("We bent the rule")
    assert saved["speakers"]["interviewee"] == "Jane Doe"
    assert saved["checksum"] == before["checksum"] and is_hand_edited(saved)
    old, new = before["segments"][2]["words"], saved["segments"][2]["words"]
    assert new[1]["word"] == " bent" and (new[1]["start"], new[1]["end"]) == (old[1]["start"], old[1]["end"])
    assert [w for i, w in enumerate(new) if i != 1] == [w for i, w in enumerate(old) if i != 1]
    assert saved["engine"] == before["engine"] and saved["asr_key"] == before["asr_key"]


def test_two_tabs_saving_from_the_same_version_the_second_gets_409_and_nothing_is_overwritten(live: Running):
    t = live.load()
    first = edit_word(t["data"], 2, "broke", "bent")
    second = edit_word(t["data"], 2, "rule", "law")
    status, ack = live.save(t["version"], first)
    assert status == 200
    on_disk = live.transcript.read_bytes()
    status, body = live.save(t["version"], second)
    assert status == 409
    assert body["version"] == ack["version"] == hashlib.sha256(on_disk).hexdigest()
    assert body["current"]["segments"][2]["text"].startswith("We bent the rule")
    assert body["yours"]["segments"][2]["text"].startswith("We broke the law")
    assert "changed" in body["error"]
    assert live.transcript.read_bytes() == on_disk


@pytest.mark.parametrize("body, says", [
    ({"speakers": {}, "segments": []}, "version"),
    ({"version": "V"}, "speakers"),
    ({"version": "V", "speakers": {"a": "A"}}, "segments"),
    ({"version": "V", "speakers": {"a": "A"}, "segments": [{"start": 0, "end": 1, "text": "x", "speaker": "a"}]},
     "words"),
    ({"version": "V", "speakers": {"a": "A"}, "segments": [
        {"start": 0, "end": 1, "text": "x", "speaker": "b", "words": []}]}, "speaker"),
    ({"version": "V", "speakers": {"a": "A"}, "segments": [
        {"start": 2, "end": 1, "text": "x", "speaker": "a", "words": []}]}, "ends before"),
    ({"version": "V", "speakers": {"a": "A"}, "segments": [
        {"start": 0, "end": 1, "text": "x", "speaker": "a", "words": [{"word": "x"}]}]}, "word"),
    ({"version": "V", "speakers": {"a": ""}, "segments": []}, "speakers"),
    ([1, 2], "version"),
])
def test_a_bad_body_is_refused_with_one_line(live: Running, body, says):
    before = live.transcript.read_bytes()
    if isinstance(body, dict) and body.get("version") == "V":
        body = {**body, "version": live.load()["version"]}
    status, answer = live.json("PUT", f"/api/recordings/{SLUG}/transcript", body)
    assert status == 400, answer
    assert says in answer["error"] and "\n" not in answer["error"]
    assert live.transcript.read_bytes() == before


def test_a_body_that_is_not_json_is_refused(live: Running):
    status, answer = live.json("PUT", f"/api/recordings/{SLUG}/transcript", raw=b"{not json")
    assert status == 400 and "JSON" in answer["error"]


def test_a_save_while_a_build_holds_the_workspace_succeeds_at_once(live: Running):
    from pipeline.workspace import Workspace, workspace_lock

    t = live.load()
    with workspace_lock(Workspace.open(live.root)):
        started = time.monotonic()
        status, body = live.save(t["version"], edit_word(t["data"], 2, "broke", "bent"))
        took = time.monotonic() - started
    assert status == 200, body
    assert took < 2.0
    assert json.loads(live.transcript.read_text())["segments"][2]["text"].startswith("We bent")


@contextmanager
def studio_process(root: Path) -> Iterator[tuple[subprocess.Popen, str, str]]:
    """``learncast studio`` as its own process; yields (process, url, cookie)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "studio", "--workspace", str(root), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://"), proc.stderr.read() if proc.poll() is not None else url
        port = int(url.split(":")[2].split("/")[0])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            except OSError:
                time.sleep(0.05)
        yield proc, url, url.split("?token=")[1]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def _csrf(port: int, token: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/recordings/{SLUG}", headers={"Host": f"127.0.0.1:{port}",
                                                         "Cookie": f"learncast_studio={token}"})
    html = conn.getresponse().read().decode()
    conn.close()
    return html.split('name="csrf-token" content="')[1].split('"')[0]


def test_kill_9_during_saves_leaves_the_transcript_whole_with_the_last_acknowledged_save(ws: Path):
    """Saves as fast as they are answered, from a thread; SIGKILL lands in the middle of one.
    The file must parse, and be the last acknowledged save (or the one in flight, whose
    rename may have happened just before the kill)."""
    from pipeline.transcribe import read_transcript_file

    path = ws / "transcripts" / SLUG / "transcript.json"
    with studio_process(ws) as (proc, url, token):
        port = int(url.split(":")[2].split("/")[0])
        keys = type("Keys", (), {"token": token, "csrf": _csrf(port, token)})
        client = Running(ws, port, keys, "127.0.0.1")
        t = client.load()
        acked: list[str] = []
        in_flight: list[str] = []

        def hammer():
            version, data, n = t["version"], t["data"], 0
            while proc.poll() is None:
                n += 1
                word = f"version{n}"
                data = json.loads(json.dumps(data))
                data["segments"][2]["text"] = f"We {word} the rule that every referral needed a signed form first."
                in_flight[:] = [word]
                try:
                    status, body = client.save(version, data)
                except (OSError, http.client.HTTPException, ValueError):
                    return
                assert status == 200, body
                version, data = body["version"], body["data"]
                acked.append(word)

        thread = threading.Thread(target=hammer, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while len(acked) < 25 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        thread.join(10)
    assert len(acked) >= 25
    data = read_transcript_file(path)  # parses: whole
    word = data["segments"][2]["text"].split()[1]
    assert word in (acked[-1], *in_flight), (word, acked[-3:], in_flight)
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".")]
    assert all(".tmp" in name for name in leftovers)  # a temp file at most, which the next build sweeps


# ---------------------------------------------------------------- timings of edited words


def _words(*spec):
    return [{"start": s, "end": e, "word": " " + w, "probability": 0.9} for w, s, e in spec]


def test_words_a_person_did_not_change_keep_their_exact_timings():
    from pipeline.studio.edits import retime

    old = _words(("the", 1.0, 1.2), ("world", 1.2, 1.5), ("nurse", 1.5, 1.9), ("is", 1.9, 2.0),
                 ("mattered", 2.0, 2.4), ("most", 2.4, 2.7))
    new = retime(old, "the ward nurses mattered most")
    assert [w["word"].strip() for w in new] == ["the", "ward", "nurses", "mattered", "most"]
    assert new[0] == old[0] and new[3:] == old[4:]
    # "world nurse is" (1.2-2.0) becomes "ward nurses": the span shared out evenly
    assert [(w["start"], w["end"]) for w in new[1:3]] == [(1.2, 1.6), (1.6, 2.0)]
    assert all(w["probability"] == 1.0 for w in new[1:3])


def test_an_inserted_word_gets_the_gap_and_a_deleted_word_takes_its_time_with_it():
    from pipeline.studio.edits import retime

    old = _words(("rules", 0.0, 0.4), ("to", 0.6, 0.7), ("bend", 0.7, 1.0))
    new = retime(old, "rules you had to bend")
    assert [(w["word"], w["start"], w["end"]) for w in new[1:3]] == [(" you", 0.4, 0.5), (" had", 0.5, 0.6)]
    assert new[0] == old[0] and new[3:] == old[1:]
    assert retime(old, "rules bend") == [old[0], old[2]]


# ---------------------------------------------------------------- pages and media


def test_the_list_shows_each_recording_with_its_state_and_uncertain_words(live: Running):
    status, body = live.json("GET", "/api/recordings")
    assert status == 200
    [row] = body["recordings"]
    assert row["slug"] == SLUG and row["state"] == "transcribed"
    assert row["interviewee"] == "Jane Doe" and row["date"] == "2026-03-01"
    assert row["uncertain"] == 2 and 7.9 < row["duration"] < 8.1
    html = live.request("GET", "/")[2].decode()
    assert f'href="/recordings/{SLUG}"' in html and "transcribed" in html and "0:08" in html


def test_the_media_is_served_with_byte_ranges(live: Running):
    size = (live.root / "media" / f"{SLUG}.wav").stat().st_size
    status, headers, body = live.request("GET", f"/media/{SLUG}", headers={"Range": "bytes=100-199"})
    assert status == 206 and len(body) == 100
    assert headers["content-range"] == f"bytes 100-199/{size}"
    assert headers["content-type"].startswith("audio/")
    status, headers, body = live.request("GET", f"/media/{SLUG}")
    assert status == 200 and len(body) == size and headers["accept-ranges"] == "bytes"


def test_the_recording_page_carries_the_csrf_token_and_the_player(live: Running):
    html = live.request("GET", f"/recordings/{SLUG}")[2].decode()
    assert f'<meta name="csrf-token" content="{live.keys.csrf}">' in html
    assert f'src="/media/{SLUG}"' in html and "Ctrl</kbd>+<kbd>Space" in html
    assert live.request("GET", "/static/studio.js")[0] == 200


# ---------------------------------------------------------------- the person's decisions


def test_mark_as_reviewed_records_who(live: Running):
    from pipeline.review import read_review

    status, body = live.json("POST", f"/api/recordings/{SLUG}/review", {"by": "Sam Reviewer"})
    assert status == 200 and body["reviewed"] and body["reviewed_by"] == "Sam Reviewer"
    mark = read_review(live.root / "transcripts" / SLUG)
    assert mark.reviewed and mark.reviewed_by == "Sam Reviewer"
    assert live.json("POST", f"/api/recordings/{SLUG}/review", {"by": " "})[0] == 400


def test_consent_and_embargo_are_recorded_as_the_cli_does(live: Running):
    import datetime as dt

    from pipeline.consent import decision
    from pipeline.workspace import Workspace

    status, body = live.json("POST", f"/api/recordings/{SLUG}/consent", {"consent": "public", "until": "2027-01-15"})
    assert status == 200 and body == {"consent": "public", "publish_after": "2027-01-15"}
    [rec], _ = Workspace.open(live.root).recordings()
    said = decision(live.root / "transcripts" / SLUG, rec)
    assert said.consent == "public" and said.publish_after == dt.date(2027, 1, 15)
    assert live.json("POST", f"/api/recordings/{SLUG}/consent", {"consent": "maybe"})[0] == 400
    assert live.json("POST", f"/api/recordings/{SLUG}/consent", {"consent": "public", "until": "soon"})[0] == 400


def test_redactions_are_added_and_removed_in_redactions_toml(live: Running):
    from pipeline import redact

    folder = live.root / "transcripts" / SLUG
    r = f"/api/recordings/{SLUG}/redactions"
    assert live.json("POST", r, {"text": "signed form", "reason": "named a form"})[0] == 200
    status, body = live.json("POST", r, {"start": "0:02", "end": "3.5", "reason": "a live case"})
    assert status == 200 and len(body["redactions"]) == 2
    assert redact.load(folder) == [redact.Redaction(text="signed form", reason="named a form"),
                                   redact.Redaction(start=2.0, end=3.5, reason="a live case")]
    status, body = live.json("DELETE", f"{r}/1")
    assert status == 200 and redact.load(folder) == [redact.Redaction(start=2.0, end=3.5, reason="a live case")]
    assert live.json("DELETE", f"{r}/5")[0] == 404
    assert live.json("POST", r, {"start": "0:05", "end": "0:01"})[0] == 400
    assert live.json("POST", r, {"text": "  ...  "})[0] == 400


def test_details_are_written_into_the_sidecar_with_its_comments_kept(live: Running):
    sidecar = live.root / "media" / f"{SLUG}.toml"
    status, body = live.json("POST", f"/api/recordings/{SLUG}/details",
                             {"title": "Discharging patients home", "role": "Head of Care", "date": "2026-03-02"})
    assert status == 200, body
    text = sidecar.read_text()
    assert "# the team's notes: keep this comment" in text and "# as she asked to be named" in text
    assert 'title = "Discharging patients home"' in text and "date = 2026-03-02" in text
    assert 'role = "Head of Care"' in text
    assert live.json("POST", f"/api/recordings/{SLUG}/details", {"date": "March"})[0] == 400
    assert live.json("POST", f"/api/recordings/{SLUG}/details", {"role": ""})[0] == 200  # an empty field: no key
    assert "role" not in sidecar.read_text() and "# as she asked to be named" in sidecar.read_text()
    assert live.json("POST", f"/api/recordings/{SLUG}/details", {})[0] == 400


def test_renaming_the_interviewee_renames_her_in_the_details_too_keeping_the_comments(live: Running):
    """The feed, the page's header and the citation take the interviewee from the details: a
    rename in the studio's speakers panel reaches them as well as the captions."""
    sidecar = live.root / "media" / f"{SLUG}.toml"
    for name in ("Dr Jane Doe", "Jane Doe"):  # and back, for the other tests
        current = live.load()
        data = dict(current["data"], speakers=dict(current["data"]["speakers"], interviewee=name))
        assert live.save(current["version"], data)[0] == 200
        text = sidecar.read_text()
        assert f'interviewee = "{name}"' in text and "# the team's notes: keep this comment" in text
    current = live.load()  # a save that renames no one leaves the details alone
    before = sidecar.read_bytes()
    assert live.save(current["version"], current["data"])[0] == 200
    assert sidecar.read_bytes() == before


# ---------------------------------------------------------------- chapters

CHAPTERS = [  # what the chapter stage would have made for the 8 s tone
    {"start": 0.0, "end": 2.0, "question": "intro", "title": "Introduction", "confidence": 1.0},
    {"start": 2.0, "end": 6.4, "question": "rules", "title": "Rules you had to break", "confidence": 0.3},
    {"start": 6.4, "end": 8.0, "question": "closing", "title": "Closing", "confidence": 1.0},
]
EDITS_FILE = '''# the team's corrections: keep this comment
[[chapter]]
at = "0:06.4"
title = "Goodbye"   # as she put it
'''


@pytest.fixture
def tolerance(monkeypatch):
    """The tone's chapters are 2 s apart: a correction names its chapter within 0.5 s, not 3 s."""
    from pipeline.chapters import edits

    monkeypatch.setattr(edits, "TOLERANCE", 0.5)


def give_chapters(root: Path, edits: str | None = EDITS_FILE) -> Path:
    """The chapter stage's output for the recording (and a hand-written corrections file)."""
    from pipeline.chapters.stage import chapters_path
    from pipeline.workspace import Workspace

    state = chapters_path(Workspace.open(root).cache_dir, SLUG)
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"chapters": CHAPTERS}), encoding="utf-8")
    path = root / "transcripts" / SLUG / "chapters.edit.toml"
    if edits is not None:
        path.write_text(edits, encoding="utf-8")
    return path


def chapters_of(live: Running) -> dict[str, Any]:
    status, body = live.json("GET", f"/api/recordings/{SLUG}/chapters")
    assert status == 200, body
    return body


def test_without_chapters_the_panel_says_so_and_a_change_is_409(live: Running):
    body = chapters_of(live)
    assert body["chapters"] == [] and "run `learncast build` first" in body["message"]
    assert "rules" in [q["id"] for q in body["questions"]]
    status, body = live.json("POST", f"/api/recordings/{SLUG}/chapters", {"action": "merge", "at": 2})
    assert status == 409 and "run `learncast build` first" in body["error"]
    assert not (live.root / "transcripts" / SLUG / "chapters.edit.toml").exists()


@pytest.mark.usefixtures("tolerance")
def test_the_chapters_come_as_the_next_build_makes_them_with_the_questions(live: Running):
    give_chapters(live.root)
    body = chapters_of(live)
    rows = [(c["start"], c["question"], c["title"], c["corrected"], c["low_confidence"]) for c in body["chapters"]]
    assert rows == [(0.0, "intro", "Introduction", False, False),
                    (2.0, "rules", "Rules you had to break", False, True),
                    (6.4, "closing", "Goodbye", True, False)]
    assert body["built"] is False and body["corrections"] == 1
    ids = [q["id"] for q in body["questions"]]
    assert ids[0] == "intro" and ids[-1] == "closing" and "relationships" in ids
    assert {"id": "rules", "title": "Rules you had to break"} in body["questions"]


@pytest.mark.usefixtures("tolerance")
@pytest.mark.parametrize("change, expect, written", [
    ({"action": "relabel", "at": 2.0, "question": "bureaucracy"},
     lambda cs: cs[1]["question"] == "bureaucracy" and cs[1]["corrected"] and not cs[1]["low_confidence"],
     'question = "bureaucracy"'),
    ({"action": "rename", "at": 2.0, "title": "  Breaking   the rules "},
     lambda cs: cs[1]["title"] == "Breaking the rules" and cs[1]["question"] == "rules", 'title = "Breaking the rules"'),
    ({"action": "move", "at": 2.0, "to": 2.5},
     lambda cs: abs(cs[1]["start"] - 2.5) < 0.2 and cs[0]["end"] == cs[1]["start"], "move_to ="),
    ({"action": "split", "at": 4.133, "question": "confidence"},
     lambda cs: len(cs) == 4 and cs[2]["question"] == "confidence" and abs(cs[2]["start"] - 4.133) < 0.01,
     'question = "confidence"'),
    ({"action": "merge", "at": 2.0}, lambda cs: len(cs) == 2 and cs[0]["end"] == 6.4, "merge = true"),
])
def test_each_change_is_written_into_the_corrections_file_with_its_comments_kept(live: Running, change, expect,
                                                                                 written):
    path = give_chapters(live.root)
    status, body = live.json("POST", f"/api/recordings/{SLUG}/chapters", change)
    assert status == 200, body
    assert expect(body["chapters"]), body["chapters"]
    text = path.read_text(encoding="utf-8")
    assert written in text
    assert "# the team's corrections: keep this comment" in text and "# as she put it" in text
    assert chapters_of(live)["chapters"] == body["chapters"], "the next GET sees the same chapters"


@pytest.mark.usefixtures("tolerance")
def test_a_change_makes_the_corrections_file_when_there_is_none(live: Running):
    path = give_chapters(live.root, edits=None)
    status, body = live.json("POST", f"/api/recordings/{SLUG}/chapters",
                             {"action": "relabel", "at": 2, "question": "relationships"})
    assert status == 200, body
    assert 'question = "relationships"' in path.read_text(encoding="utf-8")


@pytest.mark.usefixtures("tolerance")
@pytest.mark.parametrize("change, says", [
    ({"action": "relabel", "at": 2.0, "question": "no-such-question"}, "unknown question id"),
    ({"action": "relabel", "at": 3.5, "question": "rules"}, "no chapter starts at"),
    ({"action": "split", "at": 2.3, "question": "rules"}, "a chapter already starts"),
    ({"action": "split", "at": 99, "question": "rules"}, "not written"),
    ({"action": "merge", "at": 0}, "not written"),
    ({"action": "move", "at": 2.0, "to": 6.0}, "not written"),
    ({"action": "rename", "at": 2.0, "title": "  "}, "give the chapter a title"),
    ({"action": "explode", "at": 2.0}, '"action" must be one of'),
    ({"action": "merge", "at": "2:00"}, '"at" must be a time in seconds'),
    ({"action": "move", "at": 2.0, "to": True}, '"to" must be a time in seconds'),
    (["merge"], "must be a JSON object"),
])
def test_a_change_that_does_not_fit_is_400_with_one_line_and_writes_nothing(live: Running, change, says):
    path = give_chapters(live.root)
    before = path.read_bytes()
    status, body = live.json("POST", f"/api/recordings/{SLUG}/chapters", change)
    assert status == 400, body
    assert says in body["error"] and "\n" not in body["error"]
    assert path.read_bytes() == before


@pytest.mark.usefixtures("tolerance")
@pytest.mark.parametrize("origin, csrf", [(None, "right"), ("http://evil.example", "right"), ("right", None),
                                          ("right", "wrong")])
def test_a_chapter_change_needs_the_studios_origin_and_csrf_token(live: Running, origin, csrf):
    path = give_chapters(live.root, edits=None)
    headers = {"Origin": f"http://127.0.0.1:{live.port}" if origin == "right" else origin,
               "X-CSRF-Token": live.keys.csrf if csrf == "right" else csrf}
    status, _ = live.json("POST", f"/api/recordings/{SLUG}/chapters", {"action": "merge", "at": 6.4},
                          headers=headers)
    assert status == 403
    assert not path.exists()


def test_chapters_of_a_recording_not_in_the_workspace_are_404(live: Running):
    assert live.request("POST", "/api/recordings/..%2F..%2Fetc/chapters", {"action": "merge", "at": 2})[0] == 404
    assert live.request("GET", "/api/recordings/nobody/chapters")[0] == 404
