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
