"""The tables the scripts read from the hypervisor's C sources instead of
writing them again: `make script-tables` has the unit-test binary, which
links the same sources, print them (tests/tests.mk) as tab-separated files in
build/:

    pmu-strategies.tsv  hv/pmu/strategy.c pmu_strategies[] (strategies.py)
    stats-levels.tsv    hv/exit/stats.h stats_level_names[]
    statuses.tsv        hv/base/status.h hv_status_meaning()
"""

from __future__ import annotations

import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")

_made = False


def _generate(path: str) -> None:
    """Bring the files up to date, once a process; without make (a machine
    that only reads logs), use them as they are."""
    global _made
    if not shutil.which("make"):
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing and there is no make to generate it "
                             "(make script-tables)")
        return
    if _made:
        return
    done = subprocess.run(["make", "-s", "-C", ROOT, "script-tables"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode or not os.path.exists(path):
        raise SystemExit(f"cannot generate {path} (make script-tables): {done.stdout.strip()}")
    _made = True


def read(name: str, columns: int) -> list[list[str]]:
    """The rows of build/NAME, each split at tabs into exactly `columns` fields."""
    path = os.path.join(BUILD, name)
    _generate(path)
    rows: list[list[str]] = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != columns:
                raise SystemExit(f"{path}: line {n}: {len(fields)} fields, want {columns}")
            rows.append(fields)
    if not rows:
        raise SystemExit(f"{path} is empty")
    return rows


def stats_levels() -> tuple[str, ...]:
    """The hypervisor's stats= levels, from the least kept to the most."""
    return tuple(row[0] for row in read("stats-levels.tsv", 1))


def statuses() -> dict[int, str]:
    """The hypervisor's exit statuses and what each means."""
    return {int(row[0]): row[1] for row in read("statuses.tsv", 2)}
