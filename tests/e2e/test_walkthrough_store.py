"""`voucher-ledger walkthrough` writes a narrated 2020 programme that never happened: its store is a training store
(DOMAIN.md: "A training clock (demos, rehearsals) marks its store as training for ever; a production service never
opens such a store"), marked before anything else it holds, and its set-up is recorded before its first command, so
that its recorded times run forward as on any store. A review found it on the real clock: no mark, a production
service opened it as a live store, and its default programme was recorded today, after its 2020 history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from api.cli import build
from store.opening import TrainingStoreRefusedError, open_ledger
from store.settings import Settings
from tests.support.assertions import stored_topics


def test_the_walkthrough_store_is_a_training_store_recorded_in_order(tmp_path):
    db = tmp_path / "walk.sqlite3"
    done = CliRunner().invoke(build(), ["walkthrough", "--db", str(db)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    settings = Settings(store="sqlite", sqlite_path=db)
    assert stored_topics(settings)[0] == "ledger.training:TrainingMark.Marked"
    production = settings.model_copy(update={"production": True, "jwt_secret": "a-real-key-of-32-bytes-or-more!!"})
    with pytest.raises(TrainingStoreRefusedError):
        open_ledger(production)
    app = open_ledger(settings, prepare=False)
    try:
        recorded = [app.mapper.to_domain_event(n).timestamp for n in app.recorder.select_notifications(1, 10_000)]
    finally:
        app.close()
    assert recorded == sorted(recorded)  # the set-up before the first command, every command in its order
    assert recorded[-1] < datetime(2021, 12, 31, tzinfo=UTC)  # all of it in the walkthrough's simulated time
