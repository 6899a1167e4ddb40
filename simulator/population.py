"""Who takes part: enterprises and providers drawn from the seed, with ids that follow from it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid5

from ledger.uscc import ALPHABET, make_uscc
from simulator.reference import CARRIERS, CITY_WEIGHTS, REVENUE_THRESHOLD_FEN

SIMULATION_NS = UUID("5d1e3a2b-6c4f-5e8a-9b7d-201803200001")


def org_code(n: int) -> str:
    """A 9-character organisation code in the USCC alphabet, unique per n."""
    digits = []
    for _ in range(9):
        n, r = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[r])
    return "".join(reversed(digits))


@dataclass(frozen=True)
class EnterpriseSpec:
    serial: int
    year: int  # the programme year it takes part in
    uscc: str
    city: str
    carrier: str
    established_on: date
    revenue_fen: int  # main business revenue of year - 1
    misuse: bool


@dataclass(frozen=True)
class ProviderSpec:
    serial: int
    uscc: str
    name: str
    kind: str
    popularity: float


class Population:
    def __init__(self, seed: int, rng: random.Random) -> None:
        self.seed, self.rng = seed, rng
        self.namespace = uuid5(SIMULATION_NS, f"seed-{seed}")
        self._cities, self._weights = zip(*CITY_WEIGHTS.items(), strict=True)

    def uuid(self, kind: str, n: int) -> UUID:
        return uuid5(self.namespace, f"{kind}-{n}")

    def enterprise(self, serial: int, year: int) -> EnterpriseSpec:
        rng = self.rng
        city = rng.choices(self._cities, self._weights)[0]
        # Revenues straddle the 10,000,000 RMB line: log-normal around ~1.6× the threshold, a quarter below it.
        revenue = int(REVENUE_THRESHOLD_FEN * rng.lognormvariate(0.45, 0.7))
        young = rng.random() < 0.03
        established = date(year - 1, rng.randint(3, 12), rng.randint(1, 28)) if young else date(
            rng.randint(1985, year - 2), rng.randint(1, 12), rng.randint(1, 28)
        )
        return EnterpriseSpec(
            serial=serial,
            year=year,
            uscc=make_uscc(f"91{city}{org_code(self.seed * 1_000_003 + serial)}"),
            city=city,
            carrier=rng.choice(CARRIERS),
            established_on=established,
            revenue_fen=revenue,
            misuse=rng.random() < 0.005,
        )

    def providers(self, platforms: int, services: int) -> list[ProviderSpec]:
        specs = []
        for serial in range(platforms + services):
            if serial < 3:
                kind, name = "CARRIER", ("中国电信广东", "中国移动广东", "中国联通广东")[serial]
            elif serial < platforms:
                kind = "NATIONAL_PLATFORM" if serial < 3 + max(1, platforms // 4) else "PLATFORM"
                name = f"工业互联网平台 {serial:03d}"
            else:
                kind, name = "SERVICE", f"上云服务商 {serial:04d}"
            # Popularity is skewed (Zipf-like): a few providers take most claims and can exhaust their quota.
            specs.append(ProviderSpec(serial, make_uscc(f"91440101{org_code(7_777_777 + serial)}"), name, kind,
                                      1.0 / (1 + serial) ** 0.6))
        return specs
