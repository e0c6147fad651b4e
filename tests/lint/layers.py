#!/usr/bin/env python3
"""The layers point one way: a check of every #include "..." in the tree.

- lib/ includes only lib/; arch/ includes only arch/ and lib/ (mechanism
  never reaches up into policy); boot/ brings the CPU to C and includes no
  hv/ header.
- Nothing outside guests/ includes a header from guests/: a guest is a
  separate image. Guests may include lib/, the hardware definitions in
  arch/x86/ and the one header the hypervisor exports to them,
  hv/base/hypercall.h.
- hv/base/, what every part of the hypervisor shares (the log and the end
  of a run, the exit statuses, the options in force, the guest ABI, the
  machine), includes only lib/, arch/ and hv/boot/ (what the loader and
  the firmware handed over): it is the bottom of hv/.
- Folders form no include cycle: every include edge between two folders
  that lies on a cycle must be one of KNOWN_CYCLE_EDGES, which is empty. A
  new one fails, and a listed one that no longer lies on a cycle fails too,
  so the list could only shrink while there were cycles to take apart.

Prints one "ok"/"FAIL" line per rule and "layers: N passed, M failed".
"""
import os
import re
import sys
from typing import Dict, List, Set, Tuple

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCE_DIRS = ["lib", "arch", "boot", "hv", "guests", "tests"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
GUEST_ABI = {"hv/base/hypercall.h"}

# Folder edges on a cycle today: none. The exit handlers and the
# intercepts they serve (hv/exit) use the vCPU (hv/cpu), which includes
# nothing of them; the run (hv/run) sets up both and enters the guest; the
# PMU (hv/pmu) sits below both.
KNOWN_CYCLE_EDGES: Set[Tuple[str, str]] = set()


def includes() -> List[Tuple[str, str]]:
    """(file, included path) for every quoted include, paths from the root."""
    out = []
    for top in SOURCE_DIRS:
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if not f.endswith((".c", ".h", ".S")):
                    continue
                path = os.path.join(d, f)
                rel = os.path.relpath(path, ROOT)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                for inc in INCLUDE.findall(text):
                    if "/" not in inc:  # a header beside the file
                        inc = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
                    out.append((rel, inc))
    return out


def top(path: str) -> str:
    return path.split("/", 1)[0]


def rule_violations(incs: List[Tuple[str, str]]) -> Dict[str, List[str]]:
    rules: Dict[str, List[str]] = {
        "lib-includes-only-lib": [],
        "arch-includes-only-arch-and-lib": [],
        "boot-includes-no-hv": [],
        "nothing-includes-guests": [],
        "guests-include-only-lib-arch-and-the-abi": [],
        "hv-base-includes-only-lib-arch-and-hv-boot": [],
    }
    for src, inc in incs:
        s, i = top(src), top(inc)
        where = f"{src} includes {inc}"
        if s == "lib" and i != "lib":
            rules["lib-includes-only-lib"].append(where)
        # generated/: offsets arch/x86/asm-offsets.c makes for assembly.
        if s == "arch" and i not in ("arch", "lib", "generated"):
            rules["arch-includes-only-arch-and-lib"].append(where)
        if s == "boot" and i == "hv":
            rules["boot-includes-no-hv"].append(where)
        if s != "guests" and i == "guests":
            rules["nothing-includes-guests"].append(where)
        if s == "guests" and i not in ("guests", "lib", "arch") and inc not in GUEST_ABI:
            rules["guests-include-only-lib-arch-and-the-abi"].append(where)
        if src.startswith("hv/base/") and i not in ("lib", "arch") \
                and not inc.startswith(("hv/base/", "hv/boot/")):
            rules["hv-base-includes-only-lib-arch-and-hv-boot"].append(where)
    return rules


def cycle_edges(incs: List[Tuple[str, str]]) -> Set[Tuple[str, str]]:
    """Include edges between folders whose ends include each other, directly
    or through other folders (both ends in one strongly connected component)."""
    graph: Dict[str, Set[str]] = {}
    for src, inc in incs:
        if top(src) in ("tests", "guests"):
            continue
        a, b = os.path.dirname(src), os.path.dirname(inc)
        graph.setdefault(a, set())
        graph.setdefault(b, set())
        if a != b:
            graph[a].add(b)
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on: Set[str] = set()
    sccs: List[Set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return {(a, b) for comp in sccs for a in comp for b in graph[a] if b in comp}


def main() -> int:
    incs = includes()
    passed = failed = 0

    def result(ok: bool, name: str, detail: List[str]) -> None:
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}")
            for d in detail[:20]:
                print(f"     {d}")

    for name, bad in rule_violations(incs).items():
        result(not bad, name, bad)
    edges = cycle_edges(incs)
    new = sorted(edges - KNOWN_CYCLE_EDGES)
    gone = sorted(KNOWN_CYCLE_EDGES - edges)
    result(not new, "no-new-folder-cycle", [f"{a} -> {b} closes a cycle" for a, b in new])
    result(not gone, "known-cycle-edges-still-on-a-cycle",
           [f"{a} -> {b}: no longer on a cycle, drop it from KNOWN_CYCLE_EDGES" for a, b in gone])
    print(f"layers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
