"""The PMU strategies, read from build/pmu-strategies.tsv, which `make
pmu-strategies` generates from the hypervisor's own table (hv/pmu/strategy.c
pmu_strategies[]): the names are written down once, in C."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TSV = os.path.join(ROOT, "build", "pmu-strategies.tsv")



class Strategy(NamedTuple):
    name: str
    default: bool
    no_guest_pmu: bool
    description: str


_cache: list[Strategy] | None = None


def _generate() -> None:
    """Bring the file up to date; without make (a machine that only reads
    logs), use it as it is."""
    if not shutil.which("make"):
        if not os.path.exists(TSV):
            raise SystemExit(f"{TSV} is missing and there is no make to generate it "
                             "(make pmu-strategies)")
        return
    done = subprocess.run(["make", "-s", "-C", ROOT, "pmu-strategies"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode or not os.path.exists(TSV):
        raise SystemExit(f"cannot generate {TSV} (make pmu-strategies): {done.stdout.strip()}")


def all_strategies() -> list[Strategy]:
    """Every strategy: the one without a guest PMU (the baseline) first, then
    the table's order."""
    global _cache
    if _cache is None:
        _generate()
        rows: list[Strategy] = []
        with open(TSV, encoding="utf-8") as f:
            for line in f:
                name, flag_list, description = line.rstrip("\n").split("\t")
                flags = flag_list.split(",")
                rows.append(Strategy(name, "default" in flags, "no-guest-pmu" in flags,
                                     description))
        if not rows:
            raise SystemExit(f"{TSV} lists no strategy")
        _cache = sorted(rows, key=lambda s: not s.no_guest_pmu)
    return _cache


def names() -> tuple[str, ...]:
    return tuple(s.name for s in all_strategies())


def baseline() -> str:
    """The strategy every other is compared with: the guest has no PMU."""
    return next(s.name for s in all_strategies() if s.no_guest_pmu)


def description(name: str) -> str:
    return next((s.description for s in all_strategies() if s.name == name), "")
