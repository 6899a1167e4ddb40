"""A whitelist history row's Chinese reason is built from the event's facts (the assessment's kind and area named by
ledger/words.py, the assessor and report as typed, the rating, a reinstatement), not parsed from the English reason
the projection writes beside it; and it reads exactly as it did when it was parsed, on a simulated programme's
whole history, on both stores. Rows and events from before (the English words only) still read the same."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

from ledger.provider import Provider
from ledger.recording import By
from projections.check import check
from projections.read_models import ReadModels
from projections.whitelist_reasons import from_english
from simulator import simulate
from tests.support.projection_helpers import END_OF_TIME, execute, lean, rows


def test_every_chinese_reason_of_a_simulated_history_is_built_from_facts_and_reads_as_before(ledger, store_settings):
    simulate(ledger, events=4000, seed=5)
    read = ReadModels(store_settings, ledger, in_process=True)
    try:
        rated_d = read.whitelist(END_OF_TIME)[0]["provider_id"]  # and one elimination (the simulator has none)
        at = datetime(2020, 12, 31, tzinfo=UTC)
        ledger.eliminate_provider(By(actor="province:ops", at=at), provider_id=UUID(str(rated_d)), year=2021,
                                  rating="D", effective_at=at)
        read.whitelist(END_OF_TIME)  # caught up
        stored = rows(store_settings, "SELECT event_type, reason, reason_zh FROM vl_whitelist_history")
        kinds = Counter(kind for kind, reason, _ in stored if reason is not None)
        assert {"Provider.AssessmentRecorded", "Provider.Whitelisted", "Provider.Suspended",
                "Provider.Eliminated"} <= set(kinds), kinds
        # Before: parsed from the English reason; after: built from the facts. The same text, row for row.
        assert [(k, r, zh) for k, r, zh in stored if zh != from_english(r)] == []
        assert all(zh is not None for _, reason, zh in stored if reason is not None)

        # A row projected before migration 0023 (no Chinese stored) reads the same through its English reason.
        provider = rows(store_settings, "SELECT provider_id FROM vl_whitelist_history WHERE reason IS NOT NULL "
                                        "ORDER BY position LIMIT 1")[0][0]
        now = read.whitelist_history(provider, END_OF_TIME)
        execute(store_settings, "UPDATE vl_whitelist_history SET reason_zh = NULL WHERE provider_id = ?", (provider,))
        assert read.whitelist_history(provider, END_OF_TIME) == now
        execute(store_settings, "UPDATE vl_whitelist_history SET reason_zh = ? WHERE provider_id = ? AND reason_zh "
                                "IS NULL AND reason IS NOT NULL", ("由事实生成", provider))
        # (the status rows are not read from storage: the whitelist rule derives them from the assessments)
        announced = {"Provider.Suspended", "Provider.Whitelisted"}
        assert {r["reason_zh"] for r in read.whitelist_history(provider, END_OF_TIME)
                if r["reason"] and r["event_type"] not in announced} == {"由事实生成"}
    finally:
        read.close()


def test_a_suspension_names_its_failed_assessment_and_one_recorded_before_still_reads_in_chinese(world):
    """Provider.Suspended v2 names the failed assessment (kind, area); a v1 one decodes with neither (its English
    reason says it), and the projection's Chinese for it is the same."""
    provider = world.provider()
    world.app.record_assessment(world.by(), provider_id=provider, area="DATA", kind="SPOT_CHECK", passed=False,
                                assessor="国家级信息安全评测机构", report_ref="", effective_at=world.now)
    suspended = [e for e in world.app.events.get(provider) if isinstance(e, Provider.Suspended)][-1]
    assert (suspended.kind, suspended.area, suspended.reason) == ("SPOT_CHECK", "DATA", "failed spot check of DATA")
    stored = world.app.mapper.to_stored_event(suspended)
    state = world.app.mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2 and (state.pop("kind"), state.pop("area")) == ("SPOT_CHECK", "DATA")
    old = world.app.mapper.to_domain_event(replace(stored, state=world.app.mapper.transcoder.encode(state)))
    assert (old.kind, old.area, old.reason) == (None, None, "failed spot check of DATA")

    from projections.whitelist import WhitelistRegister

    built = []
    for event in (suspended, old):
        register = WhitelistRegister.__new__(WhitelistRegister)
        register.reset_buffers()
        register.providers = _Providers({str(provider): ("", "", "", 0, "WHITELISTED", 0)})
        register.suspended(event, 1)
        built.append(register.history[0][-1])
    assert built == ["数据安全抽查不通过", "数据安全抽查不通过"]


class _Providers(dict):
    """The register's provider lookup, in memory (the handler reads and puts one provider)."""

    def put(self, key, value):
        self[key] = value


def test_a_rebuild_writes_the_chinese_the_live_projection_wrote(ledger, store_settings):
    simulate(ledger, events=1500, seed=9)
    read = ReadModels(store_settings, ledger, in_process=True)
    try:
        read.whitelist(END_OF_TIME)
    finally:
        read.close()
    assert check(ledger, lean(store_settings), ["whitelist"]) == []
