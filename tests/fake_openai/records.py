"""What the fake saw: one record per request, and waiting on them without polling.

Handler threads add and update records; tests read them from their own thread or event loop.
Every change notifies a condition variable (sync waiters) and wakes registered asyncio events
through ``call_soon_threadsafe`` (async waiters), so ``wait_for`` / ``await_for`` return the
moment a condition becomes true instead of sleeping in a loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Recorder", "RequestRecord"]


@dataclass
class RequestRecord:
    """One HTTP request to ``/v1/...`` and what the fake did with it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    model: str | None = None
    stream: bool = False
    schema_name: str | None = None
    # The schema's name, or the task a prompt names when its schema serves several (Prompt.task).
    task: str | None = None
    schema: dict[str, Any] | None = None
    prompt_text: str = ""
    input_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    output_text: str = ""
    status: int = 0
    fault: str | None = None
    # The whole answer reached the client (response.completed / [DONE] / a JSON body).
    completed: bool = False
    # The client closed the connection before the answer ended (e.g. a cancelled task).
    disconnected: bool = False
    received_at: float = field(default_factory=time.time)
    # Timing (wall clock, time.time(), comparable across processes on one machine): when each
    # streamed text delta was written to the socket, in order (delta k holds output_text's
    # characters [k * chunk_chars, (k + 1) * chunk_chars)), and when the reply ended: its last
    # byte written, or the client's disconnect noticed.
    delta_sent_at: list[float] = field(default_factory=list)
    ended_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _AsyncWaiter:
    loop: asyncio.AbstractEventLoop
    event: asyncio.Event


class Recorder:
    """Thread-safe list of records with change notification."""

    def __init__(self) -> None:
        # Re-entrant so predicates may read ``fake.requests`` while a waiter holds the lock.
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._records: list[RequestRecord] = []
        self._async_waiters: list[_AsyncWaiter] = []

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
            self._notify()

    def update(self, record: RequestRecord, **changes: Any) -> None:
        """Change fields of ``record`` and wake everyone waiting on a condition."""
        with self._lock:
            for name, value in changes.items():
                if not hasattr(record, name):
                    raise AttributeError(f"RequestRecord has no field {name!r}")
                setattr(record, name, value)
            self._notify()

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._notify()

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block until ``predicate()`` is true; False after ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    # A timeout argument (not asyncio.timeout) mirrors wait_for, as the fake's users expect.
    async def await_for(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109
    ) -> bool:
        """Async ``wait_for``: the predicate runs in the caller's loop, never in a handler."""
        waiter = _AsyncWaiter(asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._async_waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    waiter.event.clear()
                    if predicate():
                        return True
                    await waiter.event.wait()
        except TimeoutError:
            return predicate()
        finally:
            with self._lock:
                if waiter in self._async_waiters:
                    self._async_waiters.remove(waiter)

    def _notify(self) -> None:
        self._changed.notify_all()
        for waiter in list(self._async_waiters):
            try:
                waiter.loop.call_soon_threadsafe(waiter.event.set)
            except RuntimeError:  # the waiter's loop has closed; nobody is listening
                self._async_waiters.remove(waiter)
