"""One headless Chromium (Debian's) per test module, and a fresh record of what each test's pages did."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.console_browser import CHROMIUM_ARGS, Watch, chromium_or_skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield found
        finally:
            found.close()


@pytest.fixture
def watch() -> Iterator[Watch]:
    watching = Watch()
    yield watching
    watching.close()  # each test's browser contexts, with their pages
