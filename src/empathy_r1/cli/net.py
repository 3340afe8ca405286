"""Serving a web app from the command line: the port checked and bound before anything is announced."""

from __future__ import annotations

import socket
import sys
from typing import Any

from empathy_r1.errors import UserError

__all__ = ["check_port", "listen", "run_app"]


def check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        raise UserError(f"--port must be between 1 and 65535, got {port}")


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; an address in use or not ours is a UserError."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as e:
        raise UserError(f"cannot listen on {host}:{port}: {getattr(e, 'strerror', None) or e}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        raise UserError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    return sock


def run_app(app: Any, host: str, port: int, banner: str, file: Any = sys.stderr) -> None:
    """Bind host:port (a bad or busy port is one error line), then print ``banner`` and serve until stopped."""
    import uvicorn

    check_port(port)
    sock = listen(host, port)  # bound before we say we serve
    print(banner, file=file, flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
