"""The PMU strategies, read from build/pmu-strategies.tsv, which `make
script-tables` generates from the hypervisor's own table (hv/pmu/strategy.c
pmu_strategies[]): the names are written down once, in C."""

from __future__ import annotations

import os
from typing import NamedTuple

from . import tables

TSV = os.path.join(tables.BUILD, "pmu-strategies.tsv")


class Strategy(NamedTuple):
    name: str
    default: bool
    no_guest_pmu: bool
    description: str


_cache: list[Strategy] | None = None


def all_strategies() -> list[Strategy]:
    """Every strategy: the one without a guest PMU (the baseline) first, then
    the table's order."""
    global _cache
    if _cache is None:
        rows: list[Strategy] = []
        for name, flag_list, description in tables.read("pmu-strategies.tsv", 3):
            flags = flag_list.split(",")
            rows.append(Strategy(name, "default" in flags, "no-guest-pmu" in flags, description))
        _cache = sorted(rows, key=lambda s: not s.no_guest_pmu)
    return _cache


def names() -> tuple[str, ...]:
    return tuple(s.name for s in all_strategies())


def baseline() -> str:
    """The strategy every other is compared with: the guest has no PMU."""
    return next(s.name for s in all_strategies() if s.no_guest_pmu)


def description(name: str) -> str:
    return next((s.description for s in all_strategies() if s.name == name), "")
