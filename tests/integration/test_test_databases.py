"""The test runs' own housekeeping on a shared PostgreSQL server: a run drops the databases that earlier runs left
behind, and never a database a live run still holds, whatever process ids the runs see."""

from __future__ import annotations

import psycopg
import pytest

from tests.support.postgres_server import claim_database, find_server, is_abandoned

pytestmark = pytest.mark.postgres


def test_a_database_is_abandoned_only_once_its_run_let_go(postgres_database) -> None:
    server = find_server()
    assert server is not None  # postgres_database found it
    name = "vl_test_1_0000claim"  # process 1 is alive everywhere: the id decides nothing
    with psycopg.connect(server.url, autocommit=True) as other_run:
        holder = claim_database(server.url, name)
        try:
            assert not is_abandoned(other_run, name)
            assert not is_abandoned(other_run, name)  # asking does not take the claim
        finally:
            holder.close()
        assert is_abandoned(other_run, name)
        assert is_abandoned(other_run, name)  # nor does finding it free keep it
