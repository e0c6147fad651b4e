#!/usr/bin/env python3
"""The matrix in one boot and the statistics levels, on Bochs.

1. One boot running three configurations (runs=) gives, run by run, the
   same exit counts and PMU MSR access counts as three separate boots with
   those configurations: each run starts from the same state.
2. The statistics run inside the measured time, and each level adds its
   own instructions to every exit: in Bochs, where the TSC counts
   instructions exactly, the guest's CPUID exit path (exit_tsc) is
   strictly shorter with stats=off than with counts, and with counts than
   with full. (That stats=off and counts read no TSC at all on the exit
   path is checked exactly by the host unit test tests/unit/test_stats.c.)

Prints one line per check and closes with 'runs-live: N passed, M failed'.
"""

import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts"))

from benchlib import parse  # noqa: E402

GUEST = os.path.join(REPO, "build", "guests", "exit-bench.elf")
CONFIGS = ("pmu:passthrough+stats:off", "pmu:switch+stats:counts", "pmu:rfc+stats:full")
COMMON = "pmu_read=rdmsr loglevel=1"
# Exact counts, whatever the timing: how many exits of each reason, and the
# PMU MSR accesses of the switching (totals with counts, extremes and mean with full).
EXACT_STATS = {"count": ("value",), "pmu_msr_accesses": ("total", "min", "max", "mean"),
               "pmu_rdmsr": ("total", "min", "max", "mean"),
               "pmu_wrmsr": ("total", "min", "max", "mean"),
               "pmu_rdpmc": ("total", "min", "max", "mean")}

passed = failed = 0


def result(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def boot(tmp, name, hv_args):
    """Boot exit-bench under these options; the runs of its log, {run: [blocks]}."""
    iso, log = os.path.join(tmp, f"{name}.iso"), os.path.join(tmp, f"{name}.log")
    subprocess.run([os.path.join(REPO, "scripts", "mkiso"), iso, hv_args, GUEST, "iters=40"],
                   check=True, cwd=REPO)
    r = subprocess.run([os.path.join(REPO, "scripts", "run"), "--platform", "bochs", "--iso",
                        iso, "--serial", log, "--quiet", "--timeout", "240"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)
    if r.returncode != 0:
        raise RuntimeError(f"{name}: status {r.returncode} ({r.stderr.strip()}), log {log}")
    return dict(parse.split_runs(parse.parse_log(log)))


def exact(blocks):
    """The hypervisor's exact counts of one run: {(kind, metric, stat): value}."""
    return {(d.kind, d.metric, d.stat): d.value for b in blocks for d in b.data
            if d.source == "hv" and d.stat in EXACT_STATS.get(d.metric, ())}


def guest_value(blocks, kind, metric, stat):
    for b in blocks:
        for d in b.data:
            if (d.source, d.kind, d.metric, d.stat) == ("guest", kind, metric, stat):
                return d.number()
    return None


def check_one_boot_equals_separate_boots(tmp):
    together = boot(tmp, "together", f"{COMMON} runs={'/'.join(CONFIGS)}")
    result(sorted(together) == [1, 2, 3], "one-boot-has-three-runs", f"runs {sorted(together)}")
    for i, config in enumerate(CONFIGS, 1):
        words = " ".join(kv.replace(":", "=") for kv in config.split("+"))
        alone = boot(tmp, f"alone{i}", f"{COMMON} {words}")
        want, got = exact(alone.get(1, [])), exact(together.get(i, []))
        differ = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        result(want and not differ, f"run-{i}-{config}-counts-as-a-boot-of-its-own",
               "; ".join(f"{','.join(k)}: alone {want.get(k)}, in one boot {got.get(k)}"
                         for k in differ[:5]) or "no counts")


def check_statistics_lengthen_the_exit_path(tmp):
    runs = boot(tmp, "levels", f"{COMMON} pmu=passthrough runs=stats:off/stats:counts/stats:full")
    path = [guest_value(runs.get(i, []), "CPUID", "exit_tsc", "median") for i in (1, 2, 3)]
    ok = None not in path and path[0] < path[1] < path[2]
    result(ok, "exit-path-off-shorter-than-counts-shorter-than-full",
           f"CPUID exit_tsc off/counts/full = {path}")
    if ok:
        print(f"     CPUID exit path in Bochs: stats=off {path[0]}, counts {path[1]}, "
              f"full {path[2]} instructions")


def main():
    if not os.path.isfile(GUEST):
        print(f"runs-live: {GUEST} not built (make all)")
        print("runs-live: 0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="pmuvisor-runs-") as tmp:
        for check in (check_one_boot_equals_separate_boots,
                      check_statistics_lengthen_the_exit_path):
            try:
                check(tmp)
            except (RuntimeError, subprocess.CalledProcessError, parse.ParseError) as e:
                result(False, check.__name__, str(e))
    print(f"runs-live: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
