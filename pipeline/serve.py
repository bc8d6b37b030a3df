"""``learncast serve``: preview the site on localhost, with HTTP range requests.

Browsers seek audio and video by asking for byte ranges; Python's built-in handler
ignores ``Range``, so seeking would restart playback. This handler answers a single
``bytes=`` range with 206 Partial Content, which is all media elements ask for.
"""

from __future__ import annotations

import functools
import http.server
import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single byte-range support and quiet logging."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".vtt": "text/vtt",
        ".srt": "application/x-subrip",
        ".mp3": "audio/mpeg",
        ".mp4": "video/mp4",
        ".json": "application/json",
        ".xml": "application/xml",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".pf_meta": "application/octet-stream",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.info("%s %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self):  # type: ignore[override]
        header = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not header or not path.is_file():
            return super().send_head()
        match = _RANGE.match(header.strip())
        size = path.stat().st_size
        if not match or (not match.group(1) and not match.group(2)):
            return super().send_head()
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # a suffix range: the last N bytes
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        fh = open(path, "rb")
        fh.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return _Slice(fh, end - start + 1)


class _Slice:
    """A file object that reads at most ``remaining`` bytes (what copyfile sends)."""

    def __init__(self, fh, remaining: int):
        self.fh, self.remaining = fh, remaining

    def read(self, n: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        data = self.fh.read(n)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.fh.close()


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(RangeRequestHandler, directory=os.fspath(site_dir))
    return http.server.ThreadingHTTPServer((host, port), handler)
