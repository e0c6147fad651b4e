"""What guests/pmu-count prints of the two cases the result pages compare:
its loop of 1000 CPUID exits (the counts of GP counter 0 and fixed counter
0) and its PMI delivered as an NMI (the count the handler reads). A check
that was not exact prints "not ok" with the same counts."""

from __future__ import annotations

import re
from typing import TypedDict


class PmuCount(TypedDict):
    """What guests/pmu-count's counters read in one run."""
    instructions: int
    branches: int
    fixed0: int
    nmi_handler_read: int


_LOOP = (r"ok \d+ - a loop of CPUID[^:]*: GP counter 0 counts (\d+) instructions "
         r"and (\d+) branches, fixed counter 0 (\d+)")
_NMI = r"ok \d+ - GP counter 0, NMI delivery, overflow on instruction 42 .*the handler read (\d+)"


def read(log: str, exact_only: bool) -> PmuCount | None:
    """The two cases' counts in a log, None if either line is missing; with
    exact_only, a case whose check failed counts as missing."""
    prefix = "^" if exact_only else "^(?:not )?"
    loop = re.search(prefix + _LOOP, log, re.M)
    nmi = re.search(prefix + _NMI, log, re.M)
    if not loop or not nmi:
        return None
    return {"instructions": int(loop[1]), "branches": int(loop[2]), "fixed0": int(loop[3]),
            "nmi_handler_read": int(nmi[1])}
