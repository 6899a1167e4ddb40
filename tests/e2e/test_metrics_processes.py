"""/metrics with several uvicorn worker processes (``API_WORKERS=2``): whichever process answers a scrape counts the
requests every process answered (prometheus-client's multiprocess mode, api/http/metrics.py), cross-checked against
each process's own file of counts."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.support.served_api import ServedApi, small_pools

pytestmark = pytest.mark.postgres
WAIT_S = 60  # a bound for slow shared machines, never a figure an assert depends on
HEALTHZ = re.compile(r'^voucher_ledger_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$', re.M)


class TwoProcesses(ServedApi):
    def environment(self) -> dict[str, str]:
        return {**super().environment(), "VOUCHER_LEDGER_API_WORKERS": "2",
                "PROMETHEUS_MULTIPROC_DIR": str(self.log_path.parent / "metrics")}


def per_process(folder) -> list[float]:
    """Each process's own count of 200 answers to GET /healthz, read from its file."""
    counts = []
    for path in sorted(folder.glob("counter_*.db")):
        for family in MultiProcessCollector.merge([str(path)], accumulate=False):
            counts += [s.value for s in family.samples if s.name == "voucher_ledger_http_requests_total"
                       and s.labels.get("route") == "/healthz" and s.labels.get("status") == "200"]
    return counts


def test_every_process_is_counted_whichever_answers_the_scrape(request, tmp_path):
    from tests.conftest import settings_for

    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_1.db").write_bytes(b"")  # an earlier run's leftovers are cleared at start
    server = TwoProcesses(small_pools(settings_for("postgres", request, tmp_path)), tmp_path / "serve.log")
    try:
        server.start()
        assert not (tmp_path / "metrics" / "counter_1.db").exists()
        sent = 0
        deadline = time.monotonic() + WAIT_S
        with ThreadPoolExecutor(8) as pool:
            while len([c for c in per_process(tmp_path / "metrics") if c > 0]) < 2:  # until both have answered
                assert time.monotonic() < deadline, f"one process answered every request:\n{server.log()}"

                def one(_):  # a connection each: the two processes take turns accepting
                    with httpx.Client(base_url=server.url, timeout=WAIT_S) as client:
                        return client.get("/healthz", headers={"Connection": "close"}).status_code

                statuses = list(pool.map(one, range(20)))
                assert statuses == [200] * 20
                sent += 20
        # A request is counted once its answer has gone out (the access log's hook), so the last few may land just
        # after the client has read them: wait for the count to settle rather than read it once (39 of 40 in a run).
        while sum(shares := per_process(tmp_path / "metrics")) < sent and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(shares) == sent and len([c for c in shares if c > 0]) == 2
        for _ in range(6):  # each scrape, whichever process answers it, has every request
            with httpx.Client(base_url=server.url, timeout=WAIT_S) as client:
                [total] = HEALTHZ.findall(client.get("/metrics", headers={"Connection": "close"}).text)
            assert float(total) == sent
    finally:
        server.stop()
