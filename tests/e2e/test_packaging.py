"""The package as a user installs it: `pip wheel .`, the wheel in a fresh virtualenv, run from an empty folder.

Nothing of the source tree may be reachable there, so this catches what a source checkout hides: files that are not
package data (the migrations), paths found relative to the source folder, a missing entry point. The fresh
virtualenv borrows this interpreter's installed dependencies through a ``.pth`` line (a path added that way does not
run that folder's own ``.pth`` files, so an editable install of this checkout stays invisible), which keeps the
test offline apart from the build backend pip fetches for ``pip wheel``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = (".git", ".venv", ".ci", "var", "build", "dist", "__pycache__", "*.egg-info", ".pytest_cache",
              ".hypothesis", "*.sqlite3")
TIMEOUT_S = 300


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHER_LEDGER_") and k != "PYTHONPATH"}
    done = subprocess.run(args, cwd=cwd, env={**env, "COLUMNS": "200"}, capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.wheel
def test_the_built_wheel_migrates_and_runs_the_walkthrough_from_an_empty_folder(tmp_path):
    source = tmp_path / "source"  # a copy: building in place would leave build/ and *.egg-info in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(tmp_path / "dist"), "-q"],
         tmp_path)
    (wheel,) = (tmp_path / "dist").glob("voucher_ledger-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site_packages = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              tmp_path).stdout.strip())
    ours = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (site_packages / "dependencies.pth").write_text("\n".join(ours) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheel)], tmp_path)

    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run([str(python), "-c", "import ledger, projections; print(ledger.__file__, projections.__file__)"],
                 empty).stdout.split()
    assert all(Path(w).is_relative_to(site_packages) for w in where), where  # the wheel's code, not the checkout's

    cli = str(env_dir / "bin" / "voucher-ledger")
    _run([cli, "migrate"], empty)
    migrations = sorted(p.name for p in (ROOT / "migrations").glob("*.sql"))
    with sqlite3.connect(empty / "var" / "ledger.sqlite3") as conn:
        applied = conn.execute("SELECT version, name FROM vl_schema_migrations ORDER BY version").fetchall()
    assert [f"{version:04d}_{name}.sql" for version, name in applied] == migrations

    walked = _run([cli, "walkthrough"], empty)
    assert "immutable events recorded" in walked.stdout
    with sqlite3.connect(empty / "var" / "walkthrough.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0] > 0

    # The console's templates and files are package data too; /docs's files come from an installed package.
    served = _run([str(python), "-c", (
        "from fastapi.testclient import TestClient; from api.http.app import create_app\n"
        "client = TestClient(create_app())  # no lifespan: these pages need no store\n"
        "for path in ('/console/overview', '/console/static/console.js', '/console/static/console.css',\n"
        "             '/docs', '/docs-assets/swagger-ui-bundle.js', '/docs-redoc/redoc.standalone.js'):\n"
        "    print(path, client.get(path).status_code)")], empty).stdout
    answers = [line.split() for line in served.splitlines() if line.startswith("/")]  # not the access log's lines
    assert [status for _, status in answers] == ["200"] * 6, served

