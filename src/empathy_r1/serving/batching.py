"""Micro-batching: concurrent requests are generated together.

A worker thread takes the first waiting request, then keeps collecting for up to
``max_wait_ms`` or until ``max_batch_size`` requests are in hand, and runs one ``generate``
call per group of identical sampling settings. On a GPU a batch of 8 costs little more than
one request; on a CPU it still saves the per-call overhead. ``enabled=False`` sends every
request alone (for benchmarks that compare the two).

A batch that fails is generated again one request at a time, so that a request that breaks
generation fails alone and its neighbours still get their answers.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from empathy_r1.serving.backends import Backend, Messages, as_completion

__all__ = ["MicroBatcher"]


@dataclass
class _Job:
    messages: Messages
    params: tuple[int, float, float]  # max_new_tokens, temperature, top_p
    future: Future = field(default_factory=Future)
    on_text: Callable[[str], None] | None = None
    """A streamed request: its text as it is generated (the backend must have ``batch_streaming``)."""
    sent: bool = False
    """Some text already left for this request: it cannot be generated again from the start."""


class MicroBatcher:
    def __init__(self, backend: Backend, max_batch_size: int = 8, max_wait_ms: float = 5.0, enabled: bool = True) -> None:
        self.backend = backend
        self.max_batch_size = max(1, max_batch_size if enabled else 1)
        self.max_wait = max_wait_ms / 1000.0 if enabled else 0.0
        self.enabled = enabled
        self.stats = {"requests": 0, "batches": 0, "largest_batch": 0, "retried_batches": 0}
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(
        self, messages: Messages, max_new_tokens: int, temperature: float, top_p: float, on_text: Callable[[str], None] | None = None
    ) -> Future:
        """Queue one prompt; the future resolves to its :class:`Completion`.

        ``on_text`` streams it: the backend's batch calls it with this request's pieces as they come.
        """
        self._ensure_started()
        job = _Job(messages, (max_new_tokens, temperature, top_p), on_text=on_text)
        self._queue.put(job)
        return job.future

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="micro-batcher", daemon=True)
                self._thread.start()

    def _collect(self, first: _Job) -> tuple[list[_Job], bool]:
        jobs, stop = [first], False
        deadline = time.monotonic() + self.max_wait
        while len(jobs) < self.max_batch_size:
            timeout = deadline - time.monotonic()
            try:
                job = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                stop = True
                break
            jobs.append(job)
        return jobs, stop

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs, stop = self._collect(first)
            groups: dict[tuple[int, float, float], list[_Job]] = {}
            for job in jobs:
                groups.setdefault(job.params, []).append(job)
            for (max_new_tokens, temperature, top_p), group in groups.items():
                self._generate(group, max_new_tokens, temperature, top_p)
            if stop:
                return

    def _generate(self, group: list[_Job], max_new_tokens: int, temperature: float, top_p: float) -> None:
        self.stats["requests"] += len(group)
        self.stats["batches"] += 1
        self.stats["largest_batch"] = max(self.stats["largest_batch"], len(group))
        self._attempt(group, max_new_tokens, temperature, top_p)

    def _attempt(self, group: list[_Job], max_new_tokens: int, temperature: float, top_p: float) -> None:
        streaming = [j for j in group if j.on_text is not None]

        def on_text(row: int, piece: str) -> None:
            job = group[row]
            if job.on_text is not None:
                job.sent = True
                job.on_text(piece)

        kwargs = {"on_text": on_text} if streaming else {}
        try:
            results = self.backend.generate([j.messages for j in group], max_new_tokens, temperature, top_p, **kwargs)
            completions = [as_completion(r) for r in results]
            if len(completions) != len(group):
                raise RuntimeError(f"the backend returned {len(completions)} completions for {len(group)} prompts")
        except Exception as e:
            if len(group) == 1:
                group[0].future.set_exception(e)
                return
            self.stats["retried_batches"] += 1
            for job in group:  # one at a time: only the request that breaks generation fails
                if job.sent:  # half a stream is out already: it ends with an error event, not a second start
                    job.future.set_exception(e)
                else:
                    self._attempt([job], max_new_tokens, temperature, top_p)
            return
        for job, completion in zip(group, completions, strict=True):
            job.future.set_result(completion)
