"""The studio as a team server (``learncast studio --host``): team accounts made with
``learncast studio users``, the sign-in page, its rate limit and session cookie, and the
edit log that records who made each change. All over real HTTP: a uvicorn server bound
to 0.0.0.0 on a thread (reached through 127.0.0.1 and 127.0.0.2, two client addresses), or
the ``learncast studio`` command as a subprocess.
"""

from __future__ import annotations

import getpass
import http.client
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest

from conftest import ROOT
from test_studio import SLUG, built, edit_word, running, serving, ws  # noqa: F401 - fixtures

SAM, SAM_PW = "Sam Reviewer", "correct horse battery staple"
ALI, ALI_PW = "Ali", "another long passphrase"


def users_file(root: Path) -> Path:
    return root / ".learncast" / "state" / "studio-users.toml"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)


# ---------------------------------------------------------------- a team server


class Client:
    """HTTP to the team server from one client address, with one cookie jar."""

    def __init__(self, port: int, via: str = "127.0.0.1"):
        self.port, self.via, self.cookies = port, via, {}

    @property
    def origin(self) -> str:
        return f"http://{self.via}:{self.port}"

    def request(self, method: str, path: str, body: Any = None, *, form: dict[str, str] | None = None,
                headers: dict[str, str | None] | None = None) -> tuple[int, dict[str, str], str]:
        h: dict[str, str | None] = {"Host": f"{self.via}:{self.port}"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD"):
            h["Origin"] = self.origin
        data = None
        if form is not None:
            data, h["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        elif body is not None:
            data, h["Content-Type"] = json.dumps(body).encode(), "application/json"
        h.update(headers or {})
        conn = http.client.HTTPConnection(self.via, self.port, timeout=20, source_address=(self.via, 0))
        try:
            conn.request(method, path, body=data, headers={k: v for k, v in h.items() if v is not None})
            r = conn.getresponse()
            got = {k.lower(): v for k, v in r.getheaders()}
            text = r.read().decode("utf-8", "replace")
        finally:
            conn.close()
        cookie = got.get("set-cookie")
        if cookie:
            name, value = cookie.split(";")[0].split("=", 1)
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return r.status, got, text

    def sign_in(self, name: str, password: str, next_: str = "/") -> tuple[int, dict[str, str], str]:
        return self.request("POST", "/signin", form={"name": name, "password": password, "next": next_})

    def csrf(self) -> str:
        status, _, html = self.request("GET", f"/recordings/{SLUG}")
        assert status == 200, html
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def change(self, method: str, path: str, body: Any, **headers) -> tuple[int, Any]:
        status, _, text = self.request(method, path, body, headers={"X-CSRF-Token": self.csrf(), **headers})
        return status, json.loads(text) if text else None


class TeamServer:
    def __init__(self, root: Path, port: int, keys, team, clock: list[float]):
        self.root, self.port, self.keys, self.team, self.clock = root, port, keys, team, clock

    def client(self, via: str = "127.0.0.1") -> Client:
        return Client(self.port, via)

    def signed_in(self, name: str = SAM, password: str = SAM_PW) -> Client:
        c = self.client()
        status, _, body = c.sign_in(name, password)
        assert status == 303, body
        return c

    def edits(self) -> list[dict[str, Any]]:
        from pipeline.studio import editlog

        return editlog.read(self.root / ".learncast" / "state")


def add_users(root: Path) -> None:
    from pipeline.studio.accounts import add_user

    add_user(users_file(root), SAM, SAM_PW)
    add_user(users_file(root), ALI, ALI_PW)


@contextmanager
def team_server(root: Path, public_names: tuple[str, ...] = ()) -> Iterator[TeamServer]:
    """``root``'s studio as a team server on 0.0.0.0 (a free port), served on a thread; its
    clock is a list the test can move on."""
    from pipeline import studio
    from pipeline.studio.team import Team
    from pipeline.workspace import Workspace

    ws_ = Workspace.open(root)
    clock = [1000.0]
    team = Team(users_file=users_file(root), public_names=public_names, clock=lambda: clock[0])
    sock = studio.bind(0, "0.0.0.0")
    app, keys, _ = studio.prepare(ws_, sock, team=team)
    try:
        with serving(app, sock):
            yield TeamServer(root, sock.getsockname()[1], keys, team, clock)
    finally:
        sock.close()


@pytest.fixture
def team(ws: Path) -> Iterator[TeamServer]:  # noqa: F811
    add_users(ws)
    with team_server(ws) as s:
        yield s


# ---------------------------------------------------------------- the users file


def test_users_add_keeps_an_scrypt_hash_not_the_password_in_an_owner_only_file(ws: Path):  # noqa: F811
    from pipeline.studio.accounts import load_users, verify_password

    done = cli("studio", "users", "add", SAM, "--workspace", str(ws), "--password-stdin", stdin=SAM_PW + "\n")
    assert done.returncode == 0, done.stderr
    assert "added" in done.stdout and "learncast studio --host" in done.stdout
    path = users_file(ws)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert SAM_PW not in text and SAM_PW.encode().hex() not in text
    user = load_users(path)[SAM]
    kind, n, r, p, salt, key = user.hash.split("$")
    assert len(salt) == 24  # 16 random bytes, base64
    assert (kind, n, r, p) == ("scrypt", "16384", "8", "1") and len(key) == 44  # 32 bytes, base64
    assert verify_password(SAM_PW, user.hash) and not verify_password(SAM_PW + "x", user.hash)
    # the same password for another user gets its own salt, so another hash
    assert cli("studio", "-w", str(ws), "users", "add", ALI, "--password-stdin", stdin=SAM_PW + "\n").returncode == 0
    assert load_users(path)[ALI].hash != user.hash
    listed = cli("studio", "users", "list", "-w", str(ws))
    assert listed.stdout.splitlines()[0].startswith("Ali  (added 20") and SAM in listed.stdout
    assert "scrypt" not in listed.stdout


def test_a_user_is_added_once_replaced_on_request_and_removed(ws: Path):  # noqa: F811
    from pipeline.studio.accounts import load_users

    add = ["studio", "users", "add", SAM, "-w", str(ws), "--password-stdin"]
    assert cli(*add, stdin=SAM_PW).returncode == 0
    old = load_users(users_file(ws))[SAM].hash
    again = cli(*add, stdin=SAM_PW)
    assert again.returncode == 2 and "--replace" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert cli(*add, "--replace", stdin="a brand new passphrase").returncode == 0
    assert load_users(users_file(ws))[SAM].hash != old
    short = cli("studio", "users", "add", ALI, "-w", str(ws), "--password-stdin", stdin="short")
    assert short.returncode == 2 and "shorter than 12" in short.stderr
    odd = cli("studio", "users", "add", "../etc", "-w", str(ws), "--password-stdin", stdin=SAM_PW)
    assert odd.returncode == 2 and "cannot be a user name" in odd.stderr
    removed = cli("studio", "users", "remove", "sam reviewer", "-w", str(ws))  # the case of letters aside
    assert removed.returncode == 0 and load_users(users_file(ws)) == {}
    assert "No team accounts yet" in cli("studio", "users", "list", "-w", str(ws)).stdout


def test_users_added_at_the_same_time_are_all_kept(ws: Path):  # noqa: F811
    from pipeline.studio.accounts import add_user, load_users

    names = [f"member {i}" for i in range(6)]
    threads = [threading.Thread(target=add_user, args=(users_file(ws), n, SAM_PW)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(load_users(users_file(ws))) == names


def test_the_password_is_asked_twice_hidden_and_never_taken_from_the_command_line(ws: Path):  # noqa: F811
    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.studio.accounts import load_users, verify_password

    on_line = cli("studio", "users", "add", SAM, SAM_PW, "-w", str(ws))
    assert on_line.returncode == 2 and not users_file(ws).exists()
    runner = CliRunner()
    result = runner.invoke(main, ["studio", "users", "add", SAM, "-w", str(ws)],
                           input=f"{SAM_PW}\nnot the same one\n{SAM_PW}\n{SAM_PW}\n")
    assert result.exit_code == 0, result.output
    assert SAM_PW not in result.output  # hidden
    assert result.output.count("Type it again") == 2 and "do not match" in result.output
    assert verify_password(SAM_PW, load_users(users_file(ws))[SAM].hash)


def test_a_team_host_without_users_is_refused_with_the_command_that_fixes_it(ws: Path):  # noqa: F811
    for host in (["--host", "0.0.0.0"], ["--public-name", "studio.example.org"]):
        done = cli("studio", "-w", str(ws), *host, "--no-browser")
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "needs team accounts" in lines[0]
        assert f"learncast studio users add NAME --workspace {ws}" in lines[0]
        assert done.stdout == ""
    add_users(ws)
    odd = cli("studio", "-w", str(ws), "--public-name", "studio.example.org/path", "--no-browser")
    assert odd.returncode == 2 and "is not a host name" in odd.stderr


def test_the_command_on_another_interface_prints_an_address_without_a_token_and_the_team_signs_in(ws: Path):  # noqa: F811
    add_users(ws)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "studio", "-w", str(ws), "--host", "0.0.0.0",
                             "--public-name", "studio.example.org", "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://studio\.example\.org:\d+/", url), url
        port = int(url.rsplit(":", 1)[1].strip("/"))
        c = Client(port)
        deadline = time.monotonic() + 15
        while True:
            try:
                status, headers, _ = c.request("GET", "/")
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert status == 303 and headers["location"] == "/signin?next=%2F"
        assert c.sign_in(SAM, SAM_PW)[0] == 303
        status, _, html = c.request("GET", "/")
        assert status == 200 and f"Signed in as {SAM}" in html
        # the public name, with and without the port (a proxy on 443 passes Host on as it is)
        for host in ("studio.example.org", f"studio.example.org:{port}"):
            assert c.request("GET", "/", headers={"Host": host})[0] == 200
    finally:
        proc.kill()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


# ---------------------------------------------------------------- signing in


def test_without_a_session_pages_go_to_the_sign_in_page_and_the_api_is_401(team: TeamServer):
    c = team.client()
    status, headers, _ = c.request("GET", f"/recordings/{SLUG}")
    assert status == 303 and headers["location"] == f"/signin?next=%2Frecordings%2F{SLUG}"
    for path in (f"/api/recordings/{SLUG}/transcript", f"/media/{SLUG}", "/api/recordings"):
        assert c.request("GET", path)[0] == 401
    # the loopback's token is no way in here
    status, headers, _ = c.request("GET", f"/?token={team.keys.token}")
    assert status == 303 and headers["location"].startswith("/signin") and "set-cookie" not in headers
    assert c.request("GET", "/", headers={"Cookie": f"learncast_studio={team.keys.token}"})[0] == 303
    assert c.request("GET", "/", headers={"Cookie": "learncast_session=guessed"})[0] == 303
    # the sign-in page itself and its stylesheet need no session, and give away no CSRF token
    status, _, html = c.request("GET", "/signin")
    assert status == 200 and '<form method="post" action="/signin"' in html
    assert team.keys.csrf not in html
    assert c.request("GET", "/static/team.css")[0] == 200


def test_a_wrong_password_is_401_with_the_page_again_and_no_session(team: TeamServer):
    c = team.client()
    for name, password in ((SAM, "not the password"), ("Nobody", SAM_PW), (SAM, ""), (ALI, SAM_PW)):
        status, headers, html = c.sign_in(name, password)
        assert status == 401, (name, password)
        assert 'role="alert"' in html and "That name and password do not match." in html
        assert "set-cookie" not in headers and c.cookies == {}
    assert f'value="{ALI}"' in html and 'type="password"' in html and password not in html


def test_the_right_password_gives_an_httponly_samesite_strict_session(team: TeamServer):
    c = team.client()
    status, headers, _ = c.sign_in("sam reviewer", SAM_PW, f"/recordings/{SLUG}")  # the case of letters aside
    assert status == 303 and headers["location"] == f"/recordings/{SLUG}"
    cookie = headers["set-cookie"]
    assert cookie.startswith("learncast_session=")
    attributes = [a.strip() for a in cookie.split(";")[1:]]
    assert "HttpOnly" in attributes and "SameSite=Strict" in attributes and "Path=/" in attributes
    assert "Secure" not in attributes  # plain http: the README says to put a TLS proxy in front
    assert len(c.cookies["learncast_session"]) >= 40
    status, _, html = c.request("GET", f"/recordings/{SLUG}")
    assert status == 200 and f"Signed in as {SAM}" in html and 'action="/signout"' in html
    assert f'value="{SAM}" readonly' in html  # the review names who signed in
    assert c.request("GET", f"/api/recordings/{SLUG}/transcript")[0] == 200
    # signed in, the sign-in page sends you on
    assert c.request("GET", "/signin?next=/api/recordings")[1]["location"] == "/api/recordings"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_after_signing_in_it_goes_only_to_a_path_of_the_studio(team: TeamServer, target: str):
    status, headers, _ = team.client().sign_in(SAM, SAM_PW, target)
    assert status == 303 and headers["location"] == "/"


def test_failed_sign_ins_are_rate_limited_per_client(team: TeamServer):
    from pipeline.studio.team import MAX_FAILURES, WINDOW

    c = team.client("127.0.0.1")
    for _ in range(MAX_FAILURES):
        assert c.sign_in(SAM, "wrong password here")[0] == 401
    status, headers, html = c.sign_in(SAM, SAM_PW)  # even the right password, now
    assert status == 429 and int(headers["retry-after"]) == WINDOW and "too many failed sign-ins" in html.lower()
    assert c.cookies == {}
    # another computer is not locked out
    other = team.client("127.0.0.2")
    assert other.sign_in(SAM, SAM_PW)[0] == 303
    assert other.request("GET", "/")[0] == 200
    # once the oldest failure is older than the window, the first client may try again
    team.clock[0] += WINDOW + 1
    assert c.sign_in(SAM, SAM_PW)[0] == 303


def test_a_session_still_needs_the_origin_and_csrf_token_for_a_change(team: TeamServer):
    c = team.signed_in()
    csrf = c.csrf()
    path = f"/api/recordings/{SLUG}/review"
    for headers in ({"X-CSRF-Token": None}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": csrf, "Origin": None},
                    {"X-CSRF-Token": csrf, "Origin": "http://evil.example"}):
        status, _, body = c.request("POST", path, {"by": SAM}, headers=headers)
        assert status == 403, (headers, body)
    assert not (team.root / "transcripts" / SLUG / "review.toml").exists()
    # the page's own origin, over https too (a TLS proxy in front)
    status, _, _ = c.request("POST", path, {}, headers={"X-CSRF-Token": csrf, "Origin": f"https://127.0.0.1:{team.port}"})
    assert status == 200
    # the sign-in form too must come from the studio's page
    assert team.client().sign_in(SAM, SAM_PW)[0] == 303
    stranger = team.client()
    assert stranger.request("POST", "/signin", form={"name": SAM, "password": SAM_PW},
                            headers={"Origin": "http://evil.example"})[0] == 403


def test_signing_out_ends_the_session(team: TeamServer):
    c = team.signed_in()
    session = c.cookies["learncast_session"]
    assert c.request("POST", "/signout", form={"csrf": "wrong"})[0] == 403
    assert c.request("GET", "/")[0] == 200  # still signed in
    status, headers, _ = c.request("POST", "/signout", form={"csrf": c.csrf()})
    assert status == 303 and headers["location"] == "/signin?out=1"
    assert "Max-Age=0" in headers["set-cookie"] and c.cookies == {}
    status, _, html = c.request("GET", "/signin?out=1")
    assert "You have signed out." in html
    replay = team.client()
    replay.cookies["learncast_session"] = session  # the old cookie is no way back in
    assert replay.request("GET", "/")[0] == 303
    assert replay.request("GET", f"/api/recordings/{SLUG}/transcript")[0] == 401


def test_removing_a_user_or_a_new_password_ends_their_sessions(team: TeamServer):
    from pipeline.studio.accounts import add_user, remove_user

    sam, ali = team.signed_in(), team.signed_in(ALI, ALI_PW)
    remove_user(users_file(team.root), SAM)
    assert sam.request("GET", "/")[0] == 303
    assert sam.sign_in(SAM, SAM_PW)[0] == 401
    add_user(users_file(team.root), ALI, "ali's new passphrase", replace=True)
    assert ali.request("GET", "/")[0] == 303
    assert ali.sign_in(ALI, "ali's new passphrase")[0] == 303


def test_a_session_ends_after_its_hours(team: TeamServer):
    from pipeline.studio.team import SESSION_HOURS

    c = team.signed_in()
    team.clock[0] += SESSION_HOURS * 3600 - 60
    assert c.request("GET", "/")[0] == 200
    team.clock[0] += 120
    assert c.request("GET", "/")[0] == 303


def test_the_host_header_must_name_this_server(team: TeamServer):
    """On 0.0.0.0 it answers to the address of the interface a request came in on, and to
    no name: a name re-pointed at the server (DNS rebinding) is refused."""
    c = team.signed_in()
    assert c.request("GET", "/")[0] == 200
    for host in ("evil.example", f"evil.example:{team.port}", f"localhost:{team.port}", f"127.0.0.2:{team.port}",
                 f"0.0.0.0:{team.port}", "127.0.0.1:1", ""):
        status, _, body = c.request("GET", "/", headers={"Host": host})
        assert status == 421, (host, body)
    assert c.request("GET", "/signin", headers={"Host": "evil.example"})[0] == 421
    assert team.client("127.0.0.2").request("GET", "/signin")[0] == 200  # its own interface address


def test_a_public_name_is_answered_to_and_is_the_address_given_to_the_team(ws: Path):  # noqa: F811
    from pipeline.studio.team import Team

    names = ("studio.example.org",)
    assert Team(users_file(ws), names).url("127.0.0.1", 8800) == "https://studio.example.org/"  # behind a proxy
    assert Team(users_file(ws), names).url("0.0.0.0", 8800) == "http://studio.example.org:8800/"
    assert Team(users_file(ws), ("studio.lan:80",)).url("0.0.0.0", 80) == "http://studio.lan:80/"
    assert Team(users_file(ws)).url("192.168.1.20", 8800) == "http://192.168.1.20:8800/"
    add_users(ws)
    with team_server(ws, names) as s:
        c = s.client()
        for host in ("studio.example.org", f"studio.example.org:{s.port}"):
            assert c.request("GET", "/signin", headers={"Host": host})[0] == 200
        assert c.request("GET", "/signin", headers={"Host": "other.example.org"})[0] == 421


# ---------------------------------------------------------------- who made each edit


def test_every_edit_is_recorded_with_the_signed_in_name(team: TeamServer):
    from pipeline.review import read_review

    sam, ali = team.signed_in(), team.signed_in(ALI, ALI_PW)
    status, _, text = sam.request("GET", f"/api/recordings/{SLUG}/transcript")
    t = json.loads(text)
    data = edit_word(t["data"], 2, "broke", "bent")
    status, body = sam.change("PUT", f"/api/recordings/{SLUG}/transcript",
                              {"version": t["version"], "speakers": data["speakers"], "segments": data["segments"]})
    assert status == 200, body
    assert ali.change("POST", f"/api/recordings/{SLUG}/consent", {"consent": "public"})[0] == 200
    assert ali.change("POST", f"/api/recordings/{SLUG}/redactions", {"text": "referral", "reason": "a name"})[0] == 200
    assert sam.change("DELETE", f"/api/recordings/{SLUG}/redactions/1", None)[0] == 200
    assert sam.change("POST", f"/api/recordings/{SLUG}/details", {"role": "Ward nurse"})[0] == 200
    # the review is marked by whoever signed in, whatever name the form sends
    status, body = ali.change("POST", f"/api/recordings/{SLUG}/review", {"by": "Mallory"})
    assert status == 200 and body["reviewed_by"] == ALI
    assert read_review(team.root / "transcripts" / SLUG).reviewed_by == ALI
    # a refused change is no edit
    assert sam.change("POST", f"/api/recordings/{SLUG}/consent", {"consent": "maybe"})[0] == 400
    got = [(e["user"], e["slug"], e["action"]) for e in team.edits()]
    assert got == [(SAM, SLUG, "PUT transcript"), (ALI, SLUG, "POST consent"), (ALI, SLUG, "POST redactions"),
                   (SAM, SLUG, "DELETE redactions/1"), (SAM, SLUG, "POST details"), (ALI, SLUG, "POST review")]
    assert all(re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", e["time"]) for e in team.edits())
    log = team.root / ".learncast" / "state" / "studio-edits.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_the_edit_log_is_appended_to_and_survives_a_torn_line(team: TeamServer):
    log = team.root / ".learncast" / "state" / "studio-edits.log"
    sam = team.signed_in()
    assert sam.change("POST", f"/api/recordings/{SLUG}/consent", {"consent": "public"})[0] == 200
    first = log.read_bytes()
    with open(log, "ab") as fh:
        fh.write(b'{"time": "2026-')  # a crash in the middle of a line
    assert sam.change("POST", f"/api/recordings/{SLUG}/consent", {"consent": "withheld"})[0] == 200
    assert log.read_bytes().startswith(first)
    assert [e["action"] for e in team.edits()] == ["POST consent", "POST consent"]


def test_on_the_loopback_edits_are_recorded_with_the_login_name_and_there_is_no_sign_in(ws: Path):  # noqa: F811
    from pipeline.studio import editlog

    with running(ws) as live:
        status, body = live.json("POST", f"/api/recordings/{SLUG}/consent", {"consent": "public"})
        assert status == 200, body
        assert live.request("GET", "/signin")[0] == 404
        status, _, raw = live.request("GET", f"/recordings/{SLUG}")
        html = raw.decode()
        assert status == 200 and "Signed in as" not in html and "/signout" not in html and "team.css" not in html
    entries = editlog.read(ws / ".learncast" / "state")
    assert [(e["user"], e["slug"], e["action"]) for e in entries] == [(getpass.getuser(), SLUG, "POST consent")]
