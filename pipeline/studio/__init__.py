"""``learncast studio``: a local web app where a capture team checks and corrects transcripts.

It reads and writes the same files the CLI does, through the same library functions, so
the CLI and the studio are interchangeable. :func:`bind` opens the listening socket
(127.0.0.1, a free port when 0), :func:`prepare` makes the app for it, and :func:`serve`
runs uvicorn on it until interrupted. On another interface (``--host``) :func:`team_for`
gives the team accounts it needs (:mod:`pipeline.studio.team`).
"""

from __future__ import annotations

import logging
import socket

from ..workspace import Workspace
from .security import Secrets

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


def bind(port: int = 0, host: str = HOST) -> socket.socket:
    """The listening socket; port 0 picks a free one. UsageError when the port is taken."""
    from ..errors import UsageError

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror})",
                         fix="choose another port with --port, or 0 for a free one") from None
    sock.listen(128)
    return sock


def prepare(ws: Workspace, sock: socket.socket, keys: Secrets | None = None, team=None):
    """(app, keys, url) for a studio on ``sock``; a team server with ``team``
    (:func:`pipeline.studio.team.team_for`), whose URL carries no token."""
    from .app import create_app

    keys = keys or Secrets(team=team)
    host, port = sock.getsockname()[:2]
    keys.listen_on(host, port)
    url = keys.url(host, port) if keys.team is None else keys.team.url(host, port)
    return create_app(ws, keys), keys, url


def team_for(ws: Workspace, host: str, public_names: tuple[str, ...] = ()):
    """The team accounts a studio on ``host`` needs (None on the loopback); UsageError
    when it needs them and the workspace has no users yet."""
    from .accounts import users_path
    from .team import team_for as make

    return make(users_path(ws.state_dir), host, tuple(public_names), workspace=ws.root)


def server(app, sock: socket.socket):
    """A uvicorn server for ``app``; ``server.run(sockets=[sock])`` serves until stopped."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            lifespan="off", server_header=False)
    return uvicorn.Server(config)


def serve(app, sock: socket.socket) -> None:
    server(app, sock).run(sockets=[sock])


__all__ = ["HOST", "Secrets", "bind", "prepare", "serve", "server", "team_for"]
