"""Every example a template shows parses as its column reads it: an official copies the example row and edits it, so
an example the import refuses (the claims template's USCC failed its own check character, found by a black-box
review) is a template that fails on its first try."""

from __future__ import annotations

import pytest

from importer.kinds import KINDS


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_example_cell_of_a_template_is_read_without_error(kind):
    for column in KINDS[kind].all_columns:
        if column.example:
            column.value(column.example)  # raises the column's own error if the example is not a valid cell
