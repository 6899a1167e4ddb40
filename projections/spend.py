"""Figures derived from money_flows' stage sums: spend, recoveries outstanding and cash out (DOMAIN.md, Redemption
"Recovery" and Settlement), in one place for the per-city queries and the exports.

* spend = settled − recovered (recoveries raised);
* outstanding = recovered − collected − written off (the receivable still open);
* cash out = settled − collected (what actually left the fund sources).
"""

from __future__ import annotations

RECOVERY_FIGURES = ("collected", "written_off", "outstanding", "cash_out")


def spend_figure(f: dict[str, int], name: str, suffix: str = "_fen") -> int:
    """The figure ``name`` (a stage, or spend / outstanding / cash_out) from sums ``f`` keyed by money_flows' amount
    columns; ``suffix="_city_fen"`` gives the city's portion of it (the province's is the total less that)."""
    def stage(s: str) -> int:
        return f[f"{s}{suffix}"]

    if name == "spend":
        return stage("settled") - stage("recovered")
    if name == "outstanding":
        return stage("recovered") - stage("collected") - stage("written_off")
    if name == "cash_out":
        return stage("settled") - stage("collected")
    return stage(name)
