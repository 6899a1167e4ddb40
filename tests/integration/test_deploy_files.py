"""deploy/systemd and deploy/compose.yaml, checked as their tools would: the units by `systemd-analyze verify` (Debian's
systemd package; `.ci/run` installs it, and only where the tool is absent does that one test skip — it needs no
database), the compose file by its structure, every service's environment by the service's own Settings.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from projections.runner import PROJECTIONS
from simulator.cli import app as cli
from store.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"
EXECUTABLE = "/opt/voucher-ledger/.venv/bin/voucher-ledger"


def verify(units: Path, names: list[str]) -> str:
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(units / n) for n in names)],
                          capture_output=True, text=True, timeout=60)
    return (done.stdout + done.stderr).strip() + ("" if done.returncode == 0 else f"\n(exit {done.returncode})")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed "
                    "(Debian package systemd; .ci/run installs it)")
def test_the_systemd_units_verify_cleanly(tmp_path):
    # The units name the installed program; here a stand-in at another path, since verify checks it is executable.
    stand_in = tmp_path / "bin" / "voucher-ledger"
    stand_in.parent.mkdir()
    stand_in.write_text("#!/bin/sh\n")
    stand_in.chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    for unit in UNITS.glob("*.service"):
        assert EXECUTABLE in unit.read_text()
        (units / unit.name).write_text(unit.read_text().replace(EXECUTABLE, str(stand_in)))
    template = (units / "voucher-ledger-follow@.service").read_text()
    instances = [f"voucher-ledger-follow@{name}.service" for name in PROJECTIONS]
    for instance in instances:
        (units / instance).write_text(template)
    assert verify(units, ["voucher-ledger-api.service", *instances]) == ""
    # the check can fail: a mistyped setting is reported (systemd ignores it, and says so)
    (units / "broken.service").write_text(template.replace("Restart=always", "Restart=sometimes"))
    assert "Failed to parse service restart specifier" in verify(units, ["broken.service"])


def test_the_units_run_commands_that_exist_for_every_projection():
    api = (UNITS / "voucher-ledger-api.service").read_text()
    follow = (UNITS / "voucher-ledger-follow@.service").read_text()
    assert re.search(rf"^ExecStart={re.escape(EXECUTABLE)} serve --no-workers$", api, re.M)
    assert re.search(rf"^ExecStart={re.escape(EXECUTABLE)} follow %i$", follow, re.M)
    runner = CliRunner()
    assert "--no-workers" in runner.invoke(cli, ["serve", "--help"], env={"COLUMNS": "200"}).output
    assert runner.invoke(cli, ["follow", "--help"]).exit_code == 0
    # the units' own instructions name every projection, and only those
    [enabled] = re.findall(r"voucher-ledger-follow@\{([^}]*)\}", api)
    assert set(enabled.split(",")) == set(PROJECTIONS)
    assert set(re.findall(r"@(\w+)", follow.split("[Unit]")[0])) == set(PROJECTIONS)


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_the_compose_file_runs_postgres_roles_migration_grants_the_api_and_one_worker_per_projection():
    services = compose()["services"]
    followers = {s["command"][2]: name for name, s in services.items() if s.get("command", [None])[:2]
                 == ["voucher-ledger", "follow"]}
    assert set(followers) == set(PROJECTIONS)
    assert services["api"]["command"] == ["voucher-ledger", "serve", "--no-workers"]
    assert services["migrate"]["command"] == ["voucher-ledger", "migrate"]
    # every dependency names a service of the file, with a condition compose knows
    for name, service in services.items():
        for needed, how in (service.get("depends_on") or {}).items():
            assert needed in services, (name, needed)
            assert how["condition"] in ("service_started", "service_healthy", "service_completed_successfully")
    # the order: roles after PostgreSQL is healthy, migration after roles, grants after it, the service after them
    assert services["roles"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["depends_on"] == {"roles": {"condition": "service_completed_successfully"}}
    assert services["grants"]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    for name in ("api", *followers.values()):
        assert services[name]["depends_on"] == {"grants": {"condition": "service_completed_successfully"}}
    for name in ("roles", "grants"):
        [mount] = services[name]["volumes"]
        assert (DEPLOY / mount.split(":")[0]).resolve() == DEPLOY / "postgres" / "roles.sql"


def test_every_ledger_services_environment_is_accepted_by_the_service_settings(monkeypatch):
    services = compose()["services"]
    ledger = {n: s for n, s in services.items() if s.get("command", [""])[0] == "voucher-ledger"}
    assert len(ledger) == 2 + len(PROJECTIONS)
    for name, service in ledger.items():
        for key in [k for k in os.environ if k.startswith("VOUCHER_LEDGER_")]:
            monkeypatch.delenv(key)
        for key, value in service["environment"].items():
            monkeypatch.setenv(key, str(value))
        settings = Settings()  # raises if production refuses this configuration
        assert settings.production and settings.store == "postgres" and settings.postgres_schema == "ledger"
        owner = name == "migrate"
        assert settings.create_tables is owner  # only the owner creates; the service role may not
        assert settings.postgres_user == ("ledger_owner" if owner else "ledger_service")
    port = re.match(r"(\d+):(\d+)", services["api"]["ports"][0])
    assert int(port[2]) == Settings(_env_file=None).api_port == 8000
