"""Exports and replay, on both stores, over a simulated programme of a few thousand events.

* The set-wide figures of an export (audit/figures.py, one GROUP BY per figure) equal the per-entity queries of
  projections/*_queries.py for every city and provider and a sample of enterprises, vouchers and batches, as of several
  times, known now and known earlier (two independent paths).
* An export interrupted in the middle of its event and audit-trail files, then run again, writes the same bytes as
  one that was never interrupted; a finished export is not redone unless forced, nor resumed in another language.
* In Chinese (the default) and in English the files hold the same ids, codes, times and amounts: only the headers,
  the sheet names, the totals rows' label and the city names differ; every CSV starts with a BOM and the manifest
  names every column's key.
* Done when: the XLSX opens, every money column's yuan is its hidden fen / 100 exactly, and the totals rows equal the
  HTTP API's figures added up entity by entity.
* A replay until T equals the live read models asked "known at T", and a rebuild of a store holding only the events
  recorded by T; interrupted, it resumes to the same tables.
"""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from eventsourcing.persistence import StoredEvent
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from store.opening import open_ledger
from simulator.store import open_simulation_store
from audit import export_words
from audit.export import ExportMismatchError, export
from audit.figures import FIGURES, all_figures
from audit.replay import ReplayTargetError, replay, replay_settings
from ledger.fiscal_time import SHANGHAI
from ledger.parties import VOUCHER_CITIES
from projections import money_flows_queries, settlement_batches_queries, whitelist_queries
from projections.runner import (
    InProcessProjections,
    close_projections,
    open_projections,
    rebuild,
)
from projections.times import to_us
from simulator import simulate
from tests.support.api_helpers import (
    module_store_settings,
    ok,
    patched_clock,
    running_api,
    store_params,
)
from tests.support.projection_helpers import scratch_views

# Shanghai: the first instant of July 2019, the morning of 1 March 2020, mid-November 2019 and the last second of
# January 2020 (the per-city and per-provider sums add whole months, then the days of T's month), after the programme.
TIMES = (datetime(2019, 6, 30, 16, tzinfo=UTC), datetime(2020, 3, 1, tzinfo=UTC), datetime(2019, 11, 20, 3, tzinfo=UTC),
         datetime(2020, 1, 31, 15, 59, 59, tzinfo=UTC), datetime(2021, 6, 1, tzinfo=UTC))
STAGE_COLUMNS = tuple(f"{s}_fen" for s in money_flows_queries.SPEND_FIGURES)


@pytest.fixture(scope="module", params=store_params())
def simulated(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    app = open_simulation_store(settings)
    simulate(app, events=3_000, seed=11, flush_events=500)
    projections = open_projections(settings)
    InProcessProjections(app, projections).refresh()
    try:
        yield settings, app, projections[0].view
    finally:
        close_projections(projections)
        app.close()


def nonzero(groups: dict) -> dict:
    """Groups with some amount. The per-entity queries keep a group whose rows were all recorded after known_at
    (read from the daily totals, then taken back) with zeros; the set-wide ones never see it."""
    return {key: amounts for key, amounts in groups.items() if any(amounts.values())}


def by_name(figures) -> dict:
    return {f.name: [dict(zip(f.columns, row, strict=True)) for row in f.rows] for f in figures}


# -- two paths to every figure --------------------------------------------------------------------------------------
def check_against_queries(db, as_of_us: int, known_at_us: int | None) -> None:
    figures = by_name(all_figures(db, as_of_us, known_at_us))
    k = {"known_at_us": known_at_us}
    spend: dict[str, dict[tuple, dict]] = defaultdict(dict)
    for row in figures["city_spend"]:
        # the programme too: two award programmes of a city and year share every other part (no fee category)
        key = (row["programme"], row["programme_year"], row["cash_year"], row["fee_category"], row["fund_source"])
        spend[row["city"]][key] = {c: row[c] for c in STAGE_COLUMNS}
    quotas = defaultdict(dict)
    for row in figures["city_quotas"]:
        quotas[row["city"]][row["programme_year"]] = {c: row[c] for c in
                                                      ("quota_set_fen", "issued_fen", "quota_used_fen",
                                                       "quota_remaining_fen")}
    for city in VOUCHER_CITIES:
        answer = money_flows_queries.city_spend(db, city, as_of_us, **k)
        lines: dict[tuple, dict] = defaultdict(dict)
        for line in answer["lines"]:
            key = (line["programme"], line["programme_year"], line["cash_year"], line["fee_category"],
                   line["fund_source"])
            lines[key][f"{line['stage']}_fen"] = line["amount_fen"]
        assert nonzero(lines) == nonzero(spend.get(city, {})), city
        assert nonzero(answer["quotas"]) == nonzero(quotas.get(city, {})), city

    provider_quotas = defaultdict(dict)
    for row in figures["provider_quotas"]:
        provider_quotas[row["provider_id"]][row["programme_year"]] = {
            c: row[c] for c in ("quota_set_fen", "quota_used_fen", "quota_remaining_fen")}
    for row in figures["provider_receivables"]:
        answer = money_flows_queries.provider_receivable(db, row["provider_id"], as_of_us, **k)
        for column in ("status", "approved_unsettled_fen", "held_fen", "claims_held_fen", "claimed_pending_fen",
                       "settled_fen", "recoveries_due_fen", "recoveries_raised_fen", "recoveries_collected_fen",
                       "recoveries_written_off_fen"):
            assert row[column] == answer.get(column, 0), (row["provider_id"], column)
        assert nonzero(answer["quotas"]) == nonzero(provider_quotas.get(row["provider_id"], {}))
    assert [dict(r) for r in figures["whitelist"]] == whitelist_queries.whitelist(db, as_of_us, limit=10_000, **k)

    years = defaultdict(list)
    for row in figures["enterprise_totals"]:
        years[row["enterprise_id"]].append({c: v for c, v in row.items() if c != "enterprise_id"})
    for enterprise_id in sorted(years)[::7]:
        assert money_flows_queries.enterprise_totals(db, enterprise_id, as_of_us, **k) == years[enterprise_id]
    for row in figures["voucher_balances"][::5]:  # the answer also names the deadline (expires_us)
        answer = money_flows_queries.voucher_balance(db, row["voucher_id"], as_of_us, **k)
        assert answer.pop("expires_us") is not None and answer == row
    for row in figures["settlement_batches"][::5]:
        batch = settlement_batches_queries.settlement_batch(db, row["batch_id"], as_of_us, **k)
        assert (batch["provider_id"], batch["period"], batch["paid"]) == (row["provider_id"], row["period"], row["paid"])
        assert (len(batch["lines"]), sum(x["amount_fen"] for x in batch["lines"])) == (row["lines"], row["lines_fen"])
        for column in ("total_settled_fen", "total_recoveries_fen", "total_collections_fen", "total_write_offs_fen",
                       "recoveries_outstanding_fen"):
            assert batch[column] == row[column], (row["batch_id"], column)
        assert sum(x["city_fen"] for x in batch["settled"]) == row["settled_city_fen"]


@pytest.mark.parametrize("as_of", TIMES, ids=lambda t: t.date().isoformat())
def test_set_wide_figures_equal_the_per_entity_queries(simulated, as_of):
    _, _, db = simulated
    for known_at in (None, as_of, as_of - timedelta(days=45)):
        check_against_queries(db, to_us(as_of), None if known_at is None else to_us(known_at))


# -- interrupted and resumed ----------------------------------------------------------------------------------------
class Interrupted(Exception):
    pass


def interrupting(label: str, after: int):
    """A progress bar that interrupts the stream ``label`` once ``after`` positions are reported."""
    @contextmanager
    def bar(total: int, name: str):
        seen = [0]

        def advance(count: int) -> None:
            seen[0] += count
            if name == label and seen[0] >= after:
                raise Interrupted(name)

        yield advance
    return bar


def test_an_interrupted_export_resumes_to_the_same_bytes(simulated, tmp_path):
    settings, app, _ = simulated
    as_of, known_at = to_us(TIMES[1]), to_us(TIMES[2])
    whole = export(app, settings, tmp_path / "whole", as_of_us=as_of, known_at_us=known_at, page_size=300)
    cut = tmp_path / "cut"
    with pytest.raises(Interrupted):
        export(app, settings, cut, as_of_us=as_of, known_at_us=known_at, page_size=300,
               bar=interrupting("events.csv", 1_000))
    assert (cut / "events.csv.partial").exists() and not (cut / "events.csv").exists()
    assert 0 < json.loads((cut / "events.csv.checkpoint").read_text())["position"] < 1_000
    with pytest.raises(Interrupted):  # resumed, then interrupted again in the audit trail
        export(app, settings, cut, page_size=300, bar=interrupting("audit_trail.csv", 1_500))
    assert (cut / "events.csv").exists() and (cut / "audit_trail.csv.partial").exists()
    resumed = export(app, settings, cut, page_size=300)  # as_of / known_at: as pinned by the first run
    assert resumed.resumed and not resumed.already_done
    for name, entry in whole.manifest["files"].items():
        if name.endswith(".csv"):
            assert (cut / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
            assert resumed.manifest["files"][name] == entry, name
    for key in ("as_of_us", "known_at_us", "event_count", "last_position", "audit_trail_rows"):
        assert resumed.manifest[key] == whole.manifest[key], key
    assert whole.manifest["event_count"] == sum(1 for _ in (cut / "events.csv").open(encoding="utf-8")) - 1
    assert not list(cut.glob("*.partial")) + list(cut.glob("*.checkpoint"))

    stamp = (cut / "events.csv").stat().st_mtime_ns
    again = export(app, settings, cut)
    assert again.already_done and (cut / "events.csv").stat().st_mtime_ns == stamp
    forced = export(app, settings, cut, as_of_us=as_of, known_at_us=known_at, force=True)
    assert not forced.already_done and (cut / "events.csv").read_bytes() == (tmp_path / "whole/events.csv").read_bytes()


def test_an_export_made_twice_of_the_same_figures_is_the_same_bytes(simulated, tmp_path):
    """An auditor compares two exports by the manifest's SHA-256: figures.xlsx must not carry the moment it was
    written (openpyxl stamps its properties and every zip entry with the wall clock)."""
    settings, app, _ = simulated
    times = {"as_of_us": to_us(TIMES[1]), "known_at_us": to_us(TIMES[2])}
    first = export(app, settings, tmp_path / "first", **times).manifest
    time.sleep(2.1)  # a zip entry's time has a resolution of 2 s
    second = export(app, settings, tmp_path / "second", **times).manifest
    assert first["files"] == second["files"]
    with zipfile.ZipFile(tmp_path / "first/figures.xlsx") as book:
        assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = book.read("docProps/core.xml").decode()
    known_at = TIMES[2].strftime("%Y-%m-%dT%H:%M:%SZ")  # the figures' time, not the writing's
    assert core.count(known_at) == 2, core


def test_an_events_effective_time_is_given_in_beijing_time_too(simulated, tmp_path):
    """A fiscal year and every date boundary are Asia/Shanghai: an official reading 生效时间 must not have to add
    8 hours to a UTC time (2019-12-31T20:00Z took effect on 1 January 2020), as the recorded time already says."""
    settings, app, _ = simulated
    manifest = export(app, settings, tmp_path, as_of_us=to_us(TIMES[4])).manifest
    for name in ("events.csv", "audit_trail.csv"):
        keys = manifest["columns"][name]
        assert keys[keys.index("effective_utc") + 1] == "effective_shanghai", name
        rows = [dict(zip(keys, row, strict=True)) for row in csv_rows(tmp_path / name)[1:]]
        effective = [r for r in rows if r["effective_utc"]]
        assert effective and all(r["effective_shanghai"] == datetime.fromisoformat(r["effective_utc"]).astimezone(
            SHANGHAI).isoformat(timespec="microseconds") for r in effective), name
        assert all(not r["effective_shanghai"] for r in rows if not r["effective_utc"]), name


def test_an_export_shows_progress_while_it_reads_the_figures(simulated, tmp_path):
    """At a million events the figures take a while (one GROUP BY each over every voucher): a bar says how far."""
    settings, app, _ = simulated
    seen: dict[str, list[int]] = defaultdict(list)

    @contextmanager
    def bar(total: int, label: str):
        seen[label].append(total)
        yield lambda count: seen[label].append(count)

    export(app, settings, tmp_path, as_of_us=to_us(TIMES[1]), bar=bar)
    total, *steps = seen["figures"]
    assert total == len(FIGURES) + 1 and sum(steps) == total  # every figure and the trial balance


def test_an_export_is_resumed_in_its_own_language_and_format(simulated, tmp_path):
    settings, app, _ = simulated
    with pytest.raises(Interrupted):
        export(app, settings, tmp_path, as_of_us=to_us(TIMES[1]), page_size=300, bar=interrupting("events.csv", 600))
    with pytest.raises(ExportMismatchError, match="--lang zh"):  # its finished files are Chinese: not mixed
        export(app, settings, tmp_path, lang="en")
    state = json.loads((tmp_path / "export.state.json").read_text())
    (tmp_path / "export.state.json").write_text(json.dumps({k: v for k, v in state.items() if k != "format"}))
    with pytest.raises(ExportMismatchError, match="earlier version"):  # begun before files had a BOM
        export(app, settings, tmp_path)
    (tmp_path / "export.state.json").write_text(json.dumps({**state, "format": 2}))
    with pytest.raises(ExportMismatchError, match="earlier version"):  # begun before codes had names beside them
        export(app, settings, tmp_path)
    assert export(app, settings, tmp_path, lang="en", force=True).manifest["lang"] == "en"


# -- Chinese by default, English on request ---------------------------------------------------------------------
def csv_rows(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), path.name  # the BOM: Excel on a Chinese Windows reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_a_chinese_export_differs_from_an_english_one_only_in_its_words(simulated, tmp_path):
    settings, app, _ = simulated
    times = {"as_of_us": to_us(TIMES[4]), "known_at_us": to_us(TIMES[4])}
    zh = export(app, settings, tmp_path / "zh", **times).manifest  # Chinese unless asked
    en = export(app, settings, tmp_path / "en", lang="en", **times).manifest
    assert (zh["lang"], en["lang"], zh["format"]) == ("zh", "en", 3) and zh["columns"] == en["columns"]
    assert set(zh["columns"]) == {name for name in zh["files"] if name.endswith(".csv")}
    for name, keys in zh["columns"].items():
        chinese, english = csv_rows(tmp_path / "zh" / name), csv_rows(tmp_path / "en" / name)
        assert english[0] == keys  # English headers are the keys, as before
        figure = name.removesuffix(".csv")
        assert chinese[0] == [export_words.header(figure, key, "zh") for key in keys]
        assert len(set(chinese[0])) == len(keys) and not any(h.isascii() for h in chinese[0]), name
        assert len(chinese) == len(english) > 1, name
        if name in ("events.csv", "audit_trail.csv"):
            assert chinese[1:] == english[1:], name
            continue
        assert (chinese[-1][0], english[-1][0]) == (f"合计（{len(chinese) - 2} 行）", f"TOTAL ({len(english) - 2} rows)")
        assert chinese[-1][1:] == english[-1][1:], name
        # a code's name beside it (city_name, fee_category_name, account_name, ...): the only other words
        named = [(i, key.removesuffix("_name")) for i, key in enumerate(keys)
                 if key.endswith("_name") and key.removesuffix("_name") in export_words.NAMED]
        assert [i - 1 for i, code in named] == [keys.index(code) for i, code in named], name
        for zh_row, en_row in zip(chinese[1:-1], english[1:-1], strict=True):
            for i, code in reversed(named):
                zh_name, en_name = zh_row.pop(i), en_row.pop(i)
                assert zh_name == export_words.code_name(code, zh_row[i - 1], "zh"), (name, zh_name, en_name)
                assert en_name == export_words.code_name(code, en_row[i - 1], "en"), (name, zh_name, en_name)
                assert not zh_row[i - 1] or not zh_name.isascii(), (name, code, zh_name)  # read as Chinese
            zh_row = [YES_NO.get(cell, cell) for cell in zh_row]  # a yes-or-no figure: 是 / 否 against True / False
            assert zh_row == en_row, name  # ids, codes, times, yuan and fen: the same bytes
    chinese_book = load_workbook(tmp_path / "zh/figures.xlsx")
    english_book = load_workbook(tmp_path / "en/figures.xlsx")
    assert chinese_book.sheetnames == ["说明", *zh["sheets"].values()] and "地市支出" in chinese_book.sheetnames
    assert english_book.sheetnames == ["about", *en["sheets"]]
    for figure, sheet_name in zh["sheets"].items():
        chinese, english = chinese_book[sheet_name], english_book[figure]
        keys = zh["columns"][f"{figure}.csv"]
        assert [c.value for c in chinese[1]] == [export_words.header(figure, k, "zh") for k in keys]
        assert [[c.value for c in row[1:]] for row in chinese.iter_rows(min_row=chinese.max_row)] == [
            [c.value for c in row[1:]] for row in english.iter_rows(min_row=english.max_row)]  # the same totals
    at = zh["columns"]["settlement_batches.csv"].index("paid")
    paid = {r[at] for r in csv_rows(tmp_path / "zh/settlement_batches.csv")[1:-1]}
    assert paid and paid <= {"是", "否"}, paid  # the simulated batches are paid or not: read as 是 / 否
    guangzhou = next(r for r in csv_rows(tmp_path / "zh/city_quotas.csv") if r[0] == "440100")
    assert guangzhou[1] == "广州市"
    accounts = {r[0]: r[1] for r in csv_rows(tmp_path / "zh/trial_balance.csv")[1:-1]}
    assert accounts["PROGRAMME_BUDGET"] == "省级项目预算" and accounts["PAID"] == "已支付服务商"


YES_NO = {"是": "True", "否": "False"}


# -- done when: the XLSX's totals are the API's figures ---------------------------------------------------------
def sheet(workbook, name: str) -> tuple[list[dict], dict]:
    """(body rows, totals row) as dicts keyed by header; checks every yuan cell is its hidden fen cell / 100."""
    ws = workbook[name]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert ws.freeze_panes == "A2"
    assert str(rows[-1][0]).startswith("TOTAL")
    for i, column in enumerate(header):
        if column.endswith("_fen"):
            assert header[i - 1] == column[:-4] + "_yuan"
            assert ws.column_dimensions[get_column_letter(i + 1)].hidden, (name, column)
            assert not ws.column_dimensions[get_column_letter(i)].hidden, (name, column)
            for row in rows[1:]:
                assert isinstance(row[i], int) and Decimal(str(row[i - 1])) == Decimal(row[i]) / 100, (name, row)
    body = [dict(zip(header, r, strict=True)) for r in rows[1:-1]]
    totals = dict(zip(header, rows[-1], strict=True))
    for column in header:
        if column.endswith("_fen"):
            assert totals[column] == sum(r[column] for r in body), (name, column)
    return body, totals


def test_done_when_the_xlsx_totals_match_the_api(simulated, tmp_path):
    settings, app, _ = simulated
    as_of = datetime(2020, 12, 31, 15, 59, tzinfo=UTC)
    export(app, settings, tmp_path / "x", as_of_us=to_us(as_of), lang="en")  # headed by the keys it checks
    workbook = load_workbook(tmp_path / "x" / "figures.xlsx")
    at = as_of.isoformat()
    with patched_clock(as_of) as clock, running_api(settings, clock) as api:  # asked as of the service's now
        _, spend = sheet(workbook, "city_spend")
        _, quota_totals = sheet(workbook, "city_quotas")
        by_stage, quota_sums = defaultdict(int), defaultdict(int)
        for city in VOUCHER_CITIES:
            answer = ok(api.get(f"/v1/cities/{city}/spend", as_of=at))
            for line in answer["lines"]:
                by_stage[f"{line['stage']}_fen"] += line["amount_fen"]
            for figures in answer["quotas"].values():
                for key, value in figures.items():
                    quota_sums[key] += value
        assert {c: spend[c] for c in STAGE_COLUMNS} == {c: by_stage[c] for c in STAGE_COLUMNS}
        assert by_stage["spend_fen"] > 0 and by_stage["recovered_fen"] > 0
        assert {k: quota_totals[k] for k in quota_sums} == dict(quota_sums)

        providers, totals = sheet(workbook, "provider_receivables")
        listed = ok(api.get("/v1/whitelist", as_of=at, limit=1000))["providers"]
        assert sorted(p["provider_id"] for p in listed) == sorted(p["provider_id"] for p in providers)
        assert len(sheet(workbook, "whitelist")[0]) == len(listed)
        sums = defaultdict(int)
        for p in listed:
            answer = ok(api.get(f"/v1/providers/{p['provider_id']}", as_of=at))
            for key in totals:
                if key.endswith("_fen") and key in answer:
                    sums[key] += answer[key]
        assert sums and all(totals[key] == value for key, value in sums.items())

        for name, path, unwrap in (("enterprise_totals", "/v1/enterprises/{}", lambda a: a["years"]),
                                   ("voucher_balances", "/v1/vouchers/{}", lambda a: [a]),
                                   ("settlement_batches", "/v1/settlement-batches/{}", lambda a: [a])):
            body, totals = sheet(workbook, name)
            key = {"enterprise_totals": "enterprise_id", "voucher_balances": "voucher_id"}.get(name, "batch_id")
            sums = defaultdict(int)
            for entity in sorted({row[key] for row in body}):
                for part in unwrap(ok(api.get(path.format(entity), as_of=at))):
                    for column, value in part.items():
                        if column.endswith("_fen"):
                            sums[column] += value
            compared = [c for c in totals if c in sums]
            assert compared and all(totals[c] == sums[c] for c in compared), name
    if "trial_balance" in workbook.sheetnames:
        _, trial = sheet(workbook, "trial_balance")
        assert trial["debit_fen"] == trial["credit_fen"]


# -- replay ---------------------------------------------------------------------------------------------------------
def replayed_figures(settings, until_us: int, **kwargs) -> list:
    views = open_projections(replay_settings(settings, kwargs.pop("target", None)))
    try:
        return all_figures(views[0].view, until_us)
    finally:
        close_projections(views)


def test_a_replay_until_t_equals_the_live_figures_known_at_t(simulated, tmp_path):
    settings, app, db = simulated
    target = str(tmp_path / "replay.sqlite3") if settings.store == "sqlite" else None
    for t in TIMES:
        report = replay(app, settings, to_us(t), target=target, fresh=True, page_size=500)
        assert 0 < report.applied <= report.read
        views = open_projections(replay_settings(settings, target))
        try:
            live = all_figures(db, to_us(t), to_us(t))
            assert all_figures(views[0].view, to_us(t)) == live  # set-wide queries on each side
            for as_of in (t, t - timedelta(days=60)):  # and per-entity queries: known at T live, known now replayed
                figures = by_name(all_figures(db, to_us(as_of), to_us(t)))
                for row in figures["voucher_balances"][::9]:
                    assert (money_flows_queries.voucher_balance(views[0].view, row["voucher_id"], to_us(as_of))
                            == money_flows_queries.voucher_balance(db, row["voucher_id"], to_us(as_of), to_us(t)))
                for city in VOUCHER_CITIES[:6]:
                    assert (money_flows_queries.city_spend(views[0].view, city, to_us(as_of))
                            == money_flows_queries.city_spend(db, city, to_us(as_of), to_us(t)))
        finally:
            close_projections(views)
    with pytest.raises(ReplayTargetError):  # the target remembers its T
        replay(app, settings, to_us(TIMES[0]), target=target)
    with pytest.raises(ReplayTargetError):
        replay(app, settings, to_us(TIMES[0]), target=str(settings.sqlite_path) if settings.store == "sqlite"
               else settings.postgres_schema)


def test_a_replay_equals_a_rebuild_of_only_the_events_recorded_by_t(simulated, tmp_path):
    """The second path: copy the events recorded by T into an empty store, rebuild its projections from zero."""
    settings, app, _ = simulated
    until = to_us(TIMES[1])
    copy_settings = scratch_views(settings, tmp_path)
    copy = open_ledger(copy_settings, prepare=False)  # an empty store: it gets exactly the events copied
    try:
        kept = [StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
                for n in app.recorder.select_notifications(1, 1_000_000)
                if to_us(app.mapper.to_domain_event(n).timestamp) <= until]
        copy.recorder.insert_events(kept)
        views = open_projections(copy_settings)
        try:
            rebuild(copy, views)
            rebuilt = all_figures(views[0].view, until)
        finally:
            close_projections(views)
    finally:
        copy.close()
    target = str(tmp_path / "r.sqlite3") if settings.store == "sqlite" else f"{settings.postgres_schema}_r"
    replay(app, settings, until, target=target, fresh=True)
    assert replayed_figures(settings, until, target=target) == rebuilt


def test_an_interrupted_replay_resumes_to_the_same_figures(simulated, tmp_path):
    settings, app, _ = simulated
    until = to_us(TIMES[2])
    whole = str(tmp_path / "whole.sqlite3") if settings.store == "sqlite" else f"{settings.postgres_schema}_w"
    cut = str(tmp_path / "cut.sqlite3") if settings.store == "sqlite" else f"{settings.postgres_schema}_c"
    replay(app, settings, until, target=whole, fresh=True)
    seen = [0]

    def stop_half_way(count: int) -> None:
        seen[0] += count
        if seen[0] >= 1_000:
            raise Interrupted

    with pytest.raises(Interrupted):
        replay(app, settings, until, target=cut, fresh=True, page_size=250, progress=stop_half_way)
    resumed = replay(app, settings, until, target=cut, page_size=250)
    assert 0 < resumed.read < app.recorder.max_notification_id()  # it went on from its position, not from zero
    assert replayed_figures(settings, until, target=cut) == replayed_figures(settings, until, target=whole)
