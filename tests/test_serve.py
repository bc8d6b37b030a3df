"""`learncast serve` answers byte ranges, so seeking in the player works."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path

from pipeline.serve import make_server


def test_range_requests(tmp_path: Path):
    data = bytes(range(256)) * 40
    (tmp_path / "audio.mp3").write_bytes(data)
    (tmp_path / "index.html").write_text("<h1>hi</h1>")
    server = make_server(tmp_path, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        req = urllib.request.Request(base + "/audio.mp3", headers={"Range": "bytes=100-199"})
        with urllib.request.urlopen(req) as resp:
            assert resp.status == 206
            assert resp.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
            assert resp.headers["Content-Type"] == "audio/mpeg"
            assert resp.read() == data[100:200]
        req = urllib.request.Request(base + "/audio.mp3", headers={"Range": "bytes=-10"})
        with urllib.request.urlopen(req) as resp:
            assert resp.read() == data[-10:]
        with urllib.request.urlopen(base + "/audio.mp3") as resp:
            assert resp.status == 200 and resp.headers["Accept-Ranges"] == "bytes"
            assert resp.read() == data
        req = urllib.request.Request(base + "/audio.mp3", headers={"Range": f"bytes={len(data) + 5}-"})
        try:
            urllib.request.urlopen(req)
            raise AssertionError("expected 416")
        except urllib.error.HTTPError as exc:
            assert exc.code == 416
    finally:
        server.shutdown()
        server.server_close()
