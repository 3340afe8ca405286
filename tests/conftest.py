"""Shared fixtures. Nothing here touches the network: models and tokenizers are built locally."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


# --- shared helpers --------------------------------------------------------------------------

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import pytest


@contextlib.contextmanager
def running_app(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port in a thread; yields its base URL.

    The socket listens before the thread starts, so clients simply connect (the kernel queues
    them): no polling for readiness."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def serve_app() -> Callable:
    """``with serve_app(app) as url:`` runs an ASGI app on loopback for the test."""
    return running_app
