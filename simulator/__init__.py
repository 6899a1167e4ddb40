"""A seeded, deterministic simulator of the 2018-2020 programme that drives the ledger's real commands."""

from simulator.run import Scale, SimulationReport, simulate

__all__ = ["Scale", "SimulationReport", "simulate"]
