"""A served process's collector: what start-up left is set aside, and young objects are collected less often."""

import gc

from api.http.collector import YOUNG_THRESHOLD, settle_after_start


def test_settling_freezes_the_heap_and_raises_the_young_threshold_only():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        settle_after_start()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)


def test_an_import_in_a_serving_process_sets_the_heap_aside_again_without_its_garbage():
    import weakref

    from importer.fewer_collections import fewer_collections, settled

    class Node:
        pass

    saved = gc.get_threshold()
    try:
        settle_after_start()
        with fewer_collections():
            cycle = Node()
            cycle.me = cycle  # garbage only the collector frees, set aside with the import's heap
            gone = weakref.ref(cycle)
            settled()
            del cycle
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD  # the serving setting is back
        assert gc.get_freeze_count() > 0  # the heap is set aside again...
        assert gone() is None  # ... without the import's garbage
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)
