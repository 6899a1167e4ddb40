"""The cyclic garbage collector in a serving process: its start-up heap set aside, its young generation larger.

A served process holds a large heap that never becomes garbage — modules, FastAPI's routes and pydantic's schemas,
the OpenAPI document — and, in the group-commit writer's unit of work, a cache of aggregates that grows with every
command. With CPython's default thresholds every request's short-lived objects trigger young collections (every 700
allocations), whose survivors age into the old generation, and every few seconds under load a full collection
traverses the whole heap again — in one process where the event loop, the writer and the committer share one
interpreter lock. Under wrk's load that was a quarter of the server's CPU per claim and stalls of 130-200 ms of
CPU each, with the lock held: the tail of every request in flight (bench/README.md, "HTTP under wrk").

So once the service has started, what is alive is frozen (``gc.freeze``: never traversed again; it is freed by
reference counting like anything else), and the youngest generation is collected after ``YOUNG_THRESHOLD``
allocations. A request's objects are freed by reference counting as it ends; the collector is only a backstop for
cycles, which it still finds, less often.
"""

from __future__ import annotations

import gc

from importer.fewer_collections import YOUNG_THRESHOLD  # one figure for every process that holds a large heap


def settle_after_start() -> None:
    """Call once the service has opened what it serves with: collect what start-up left, set the rest aside, and
    collect young objects less often from now on (for this process)."""
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, old)
