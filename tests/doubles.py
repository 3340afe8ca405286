"""Test doubles and helpers shared by the test files (on the path through ``pythonpath`` in pyproject.toml).

``ScriptedBackend`` stands in for a model: it returns a fixed, well-formed CoE completion.
``chromium`` starts Debian's headless Chromium through chromedriver (the test is skipped without them).
``running`` serves an ASGI app on a real loopback socket in a thread: the socket listens before
the thread starts, so a client may connect at once (the kernel queues it): no polling.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from empathy_r1 import coe
from empathy_r1.generation import Completion
from empathy_r1.serving.backends import Messages

__all__ = ["COE_ANSWER", "ScriptedBackend", "chromium", "running"]

#: The answer of the scripted completion.
COE_ANSWER = "听起来你真的很辛苦。愿意的话，今晚先给自己留十分钟，做一件让身体放松的小事。"


def _default_script(messages: Messages) -> str:
    post = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    return coe.render(
        coe.Chain(
            emotions=f"来访者感到疲惫和孤单（{post[:12]}）。",
            causes="长期压力让他觉得自己必须独自扛下一切。",
            intent="希望被理解，也想要一点可行的建议。",
            strategy="先共情和肯定，再给一个小而具体的建议。",
            answer=COE_ANSWER,
        )
    )


class ScriptedBackend:
    """FOR TESTS AND DEMOS ONLY: returns a fixed, well-formed CoE completion, no model involved.

    ``script`` maps the prompt messages to a completion; ``calls`` records every batch size, so
    tests can see that concurrent requests were batched.
    """

    def __init__(self, script: Callable[[Messages], str] = _default_script, name: str = "scripted-test-backend", piece: int = 7) -> None:
        self.script = script
        self.name = name
        self.piece = piece
        self.calls: list[int] = []

    batch_streaming = True

    def generate(
        self, messages_batch: Sequence[Messages], max_new_tokens: int, temperature: float, top_p: float, on_text=None
    ) -> list[Completion]:
        self.calls.append(len(messages_batch))
        texts = [self.script(m) for m in messages_batch]
        if on_text is not None:
            for row, text in enumerate(texts):
                for i in range(0, len(text), self.piece):
                    on_text(row, text[i : i + self.piece])
        return [Completion(t, "stop", 0, len(t)) for t in texts]

    def stream(self, messages: Messages, max_new_tokens: int, temperature: float, top_p: float) -> Iterator[str | Completion]:
        text = self.script(messages)
        for i in range(0, len(text), self.piece):
            yield text[i : i + self.piece]
        yield Completion(text, "stop", 0, len(text))


@contextmanager
def running(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on an ephemeral loopback port; yields the base URL (``http://127.0.0.1:PORT``)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


@contextmanager
def chromium(profile: Path, downloads: Path | None = None) -> Iterator[Any]:
    """A headless Chromium WebDriver with its own profile directory; skips the test when Chromium is missing."""
    import pytest

    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.skip("needs Debian's chromium and chromium-driver (make browser)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    if downloads is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
