"""The event loop's hand-over to the group-commit writer: one per turn of the loop each way, not one per request.

An async route awaiting ``asyncio.wrap_future(writer.submit(...))`` costs two thread wake-ups per request: its
``submit`` wakes the writer thread, and its answer, set by the committer thread, wakes the event loop
(``call_soon_threadsafe``). In one process the event loop, the writer and the committer share one interpreter lock,
so each wake-up can hand the lock to the thread just woken. Here the commands that requests send during one turn of
the loop go to the writer together (``GroupCommitWriter.submit_all``, at the end of the turn), and the answers that
the committer sets for one batch come back to the loop in one wake-up.

Each request still gets exactly its own command's answer or error; a request cancelled before its command was
decided cancels it (as ``wrap_future`` did), after that its command's answer is recorded all the same.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

from ledger.commands.values import Command
from ledger.recording import By
from writer.answered_once import IdempotencyKey
from writer.group_commit import GroupCommitWriter

Waiting = tuple[Command, By, IdempotencyKey | None, asyncio.Future[Any]]


class WriterHandover:
    """For one writer and one event loop (the first that sends through it)."""

    def __init__(self, writer: GroupCommitWriter) -> None:
        self.writer = writer
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: list[Waiting] = []  # sent during this turn of the loop: the loop's thread only
        self._lock = threading.Lock()  # guards the two below, shared with the committer thread
        self._answered: list[tuple[asyncio.Future[Any], Future[Any]]] = []
        self._wake_pending = False

    async def send(self, command: Command, by: By, key: IdempotencyKey | None) -> Any:
        """The command's result once its batch has committed (or its error), as ``writer.submit(...).result()``."""
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:  # another loop (a test's): the plain way
            return await asyncio.wrap_future(self.writer.submit(command, by, key))
        answer: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((command, by, key, answer))
        if len(self._waiting) == 1:
            loop.call_soon(self._submit_waiting)  # after the callbacks already due: other requests of this turn
        return await answer

    def _submit_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        try:
            futures = self.writer.submit_all([(command, by, key) for command, by, key, _ in waiting])
        except BaseException as error:  # noqa: BLE001 - the writer stopped: every request of the turn is told
            for *_, answer in waiting:
                if not answer.done():
                    answer.set_exception(error)
            return
        for (*_, answer), future in zip(waiting, futures, strict=True):
            answer.add_done_callback(lambda a, f=future: f.cancel() if a.cancelled() else None)
            future.add_done_callback(lambda f, a=answer: self._done(a, f))

    def _done(self, answer: asyncio.Future[Any], future: Future[Any]) -> None:
        """In the thread that answered the command (the committer): queue it, and wake the loop once per batch."""
        with self._lock:
            self._answered.append((answer, future))
            wake, self._wake_pending = not self._wake_pending, True
        if wake and self._loop is not None and not self._loop.is_closed():  # closed: no request is waiting any more
            self._loop.call_soon_threadsafe(self._answer_all)

    def _answer_all(self) -> None:
        with self._lock:
            answered, self._answered, self._wake_pending = self._answered, [], False
        for answer, future in answered:
            if answer.done():  # its request was cancelled
                continue
            if future.cancelled():
                answer.cancel()
            elif (error := future.exception()) is not None:
                answer.set_exception(error)
            else:
                answer.set_result(future.result())
