"""Fewer garbage collections while a file is imported.

An import keeps every aggregate it decided in memory until its commit (``importer/holding.py``), so the heap grows by
hundreds of thousands of long-lived objects, and CPython's collector traverses the survivors again and again as
they age through its generations: a quarter of a claims import's CPU (bench/README.md, "Bulk import"). Those
objects are freed by reference counting when the import ends; cycles are rare. So while any import runs, the
youngest generation is collected after ``YOUNG_THRESHOLD`` allocations instead of the default 700 (the older
generations' thresholds are unchanged), and after each chunk what survived is set aside (:func:`settled`:
``gc.freeze``) so that no later collection traverses it again; when the last running import ends, the setting is
restored and what was set aside is handed back to the collector (``gc.unfreeze``), garbage cycles included. A
serving process had set its start-up heap aside before (``api/http/collector.py``): once the import's garbage is
collected, what is alive is set aside again, or every later full collection would traverse the whole heap.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000
_lock = threading.Lock()
_running = 0
_saved: tuple[int, ...] = ()
_frozen_before = False


@contextmanager
def fewer_collections() -> Iterator[None]:
    global _running, _saved, _frozen_before
    with _lock:
        if _running == 0:
            _saved, _frozen_before = gc.get_threshold(), gc.get_freeze_count() > 0
            gc.set_threshold(max(YOUNG_THRESHOLD, _saved[0]), *_saved[1:])
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()
                if _frozen_before:
                    gc.collect()
                    gc.freeze()


def settled() -> None:
    """What the import holds now stays until it ends: no collection need look at it again before then."""
    if _running:
        gc.freeze()
