"""The last fallback for PostgreSQL tests — a throwaway cluster from local binaries — really starts and stops."""

import glob
import shutil

import pytest

from tests.support.postgres_server import _can_connect, _throwaway_cluster


@pytest.mark.skipif(
    not (shutil.which("initdb") or glob.glob("/usr/lib/postgresql/*/bin/initdb")), reason="no PostgreSQL binaries"
)
def test_a_throwaway_cluster_starts_accepts_connections_and_is_removed():
    server = _throwaway_cluster()
    assert server is not None
    try:
        assert _can_connect(server.url)
    finally:
        server.stop()
    assert not _can_connect(server.url)
