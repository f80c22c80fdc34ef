"""Background work with an owner: one task per (feature, uri), replaced on new work, logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskOwner:
    def __init__(self) -> None:
        self._tasks: dict[tuple[str, str], asyncio.Task[Any]] = {}

    def spawn(self, feature: str, uri: str, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start `work`, cancelling the previous task for the same (feature, uri)."""
        self.cancel(feature, uri)
        task = asyncio.get_running_loop().create_task(work, name=f"{feature}:{uri}")
        self._tasks[(feature, uri)] = task
        task.add_done_callback(lambda done: self._finished((feature, uri), done))
        return task

    def get(self, feature: str, uri: str) -> asyncio.Task[Any] | None:
        return self._tasks.get((feature, uri))

    def cancel(self, feature: str, uri: str) -> None:
        task = self._tasks.pop((feature, uri), None)
        if task is not None and not task.done():
            task.cancel()

    async def cancel_all(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _finished(self, key: tuple[str, str], task: asyncio.Task[Any]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("background %s failed", task.get_name(), exc_info=error)
