"""Committing a catch-up's pages on a second thread while the caller applies the next page.

A page costs Python first (decoding, the handlers, formatting rows) and then the server (storing the rows and their
index entries, the commit's WAL flush). One after the other, a rebuild's wall time was the sum of the two, and the
server's half was as long as Python's (bench/README.md, "Rebuild, issue 16 item 4: the server's half"). Here page N's
commits run on one background thread — psycopg waits for the server without holding the interpreter lock — while
the caller applies page N+1; at most one page commits while the next is applied, so memory holds two pages' rows.

Order and exactly-once stay the projections' own: each commit checks its projection's position under a row lock
(``ReadModelView.commit_batch``), the one thread runs commits in the order they were handed over, and a lookup that
must read its table first waits for its projection's commit in flight (``LedgerProjection.in_flight``). The first
error stops the catch-up: the commits already handed over are waited for, every projection forgets what it applied in
memory (it is read again from the committed tables on demand), and the error is raised.

A stdlib ``ThreadPoolExecutor`` of one thread is the whole mechanism; the library's runners process one event per
transaction on the caller's thread and have no such overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from projections.base import LedgerProjection


class PageCommits:
    """The commits of a catch-up's pages: in the background (``background=True``) or at once on the caller's thread."""

    def __init__(self, projections: Sequence[LedgerProjection], *, background: bool):
        self._projections = projections
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="projection-commits") if background else None
        self._page: list[Future[None]] = []  # the commits of the page handed over last

    def hand_over(self, projection: LedgerProjection, commit: Callable[[], None]) -> None:
        if self._executor is None:
            commit()  # on the caller's thread: an error is raised here, and the catch-up ends as for any other
            return
        projection.in_flight = future = self._executor.submit(commit)
        self._page.append(future)

    def wait(self) -> None:
        """Return when the page handed over last has committed; raise its first error (after the others ended)."""
        page, self._page = self._page, []
        errors = [future.exception() for future in page]  # exception() waits for the future
        for error in errors:
            if error is not None:
                raise error

    def __enter__(self) -> PageCommits:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if error is not None:
                for future in self._page:
                    future.exception()  # ended, failed or not: the error being raised is the one to report
                self._page = []
                for projection in self._projections:
                    projection.forget()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
