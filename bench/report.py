"""Results: ratios to baselines, the JSON document, and the rich table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from bench.registry import Figure


def apply_ratios(figures: list[Figure]) -> None:
    """ratio = value / the baseline figure's value; a baseline not measured in this run leaves ratio None."""
    values = {f.name: f.value for f in figures}
    for figure in figures:
        if figure.baseline is None:
            continue
        base = values.get(figure.baseline)
        if base:
            figure.ratio = round(figure.value / base, 3)
        else:
            figure.ratio = None
            figure.notes["ratio"] = "baseline not measured in this run"


def write_json(result: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def _notes_text(notes: dict[str, Any]) -> str:
    refused = notes.get("refused") or {}
    parts = [f"refused {code}×{n}" for code, n in refused.items()]
    if notes.get("conflicts_retried"):
        parts.append(f"conflicts retried ×{notes['conflicts_retried']}")
    if "ratio" in notes:
        parts.append(notes["ratio"])
    return "; ".join(parts) or "-"


def _number(value: float) -> str:
    """Rates as whole numbers; small figures (latencies in ms, ratios of memory) keep their decimals."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def _goals_text(figure: dict[str, Any]) -> str:
    parts = []
    for goal in figure.get("goals") or []:
        target = f"{goal['target']:,.{0 if goal['target'] >= 100 else 1}f}"
        subject = "" if goal["of"] == "value" else "ratio "
        verdict = "?" if goal["met"] is None else ("met" if goal["met"] else "MISSED")
        shown = "" if goal["x_target"] is None or goal["of"] == "ratio" else f" ({goal['x_target']:.2f}×)"
        parts.append(f"{subject}{goal['op']} {target}: {verdict}{shown}")
    return "; ".join(parts) or "-"


def table(result: dict[str, Any]) -> Table:
    versions, settings = result["versions"], result["settings"]
    pg = settings.get("postgres") or {}
    title = (
        f"voucher-ledger bench ({result['scale']}, median of {result['repeats']}) - "
        f"PostgreSQL {versions.get('postgresql_server') or 'n/a'} fsync={pg.get('fsync', 'n/a')} "
        f"synchronous_commit={pg.get('synchronous_commit', 'n/a')}; SQLite {versions['sqlite']} "
        f"{(settings.get('sqlite') or {}).get('journal_mode', 'n/a')}; {result['machine']['cpu_count']} CPUs"
    )
    out = Table(title=title, title_justify="left")
    out.add_column("figure")
    out.add_column("value", justify="right")
    out.add_column("unit")
    out.add_column("repeats", justify="right")
    out.add_column("× baseline", justify="right")
    out.add_column("baseline")
    out.add_column("goal")
    out.add_column("notes")
    for f in result["figures"]:
        ratio = f.get("ratio")
        out.add_row(
            f["name"],
            _number(f["value"]),
            f["unit"],
            " / ".join(_number(v) for v in f["repeats"]) or "-",
            "-" if ratio is None else f"{ratio:.2f}",
            f.get("baseline") or "-",
            _goals_text(f),
            _notes_text(f["notes"]),
        )
    return out


def goals_table(result: dict[str, Any]) -> Table | None:
    """Every figure held to a goal, one row per goal: measured, target, measured / target, the figure's ratio to its
    baseline, met or MISSED — the run's verdict on the issues' targets at a glance (None if no figure has a goal)."""
    rows = [(f, goal) for f in result["figures"] for goal in f.get("goals") or []]
    if not rows:
        return None
    out = Table(title=f"goals ({result['scale']} scale; load average at start {result['machine'].get('load_average_at_start')}"
                      f", at end {result['machine'].get('load_average')})", title_justify="left")
    for column, justify in (("figure", "left"), ("measured", "right"), ("goal", "left"), ("× goal", "right"),
                            ("× baseline", "right"), ("baseline", "left"), ("verdict", "left")):
        out.add_column(column, justify=justify)
    for f, goal in rows:
        measured = f["value"] if goal["of"] == "value" else f.get("ratio")
        unit = f["unit"] if goal["of"] == "value" else "× baseline"
        target = f"{goal['op']} {_number(goal['target'])} {unit}"
        ratio = f.get("ratio")
        verdict = "?" if goal["met"] is None else ("met" if goal["met"] else "MISSED")
        out.add_row(f["name"], "-" if measured is None else _number(measured), target,
                    "-" if goal["x_target"] is None else f"{goal['x_target']:.2f}",
                    "-" if ratio is None else f"{ratio:.2f}", f.get("baseline") or "-", verdict)
    return out
