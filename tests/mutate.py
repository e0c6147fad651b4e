#!/usr/bin/env python3
"""Mutation check of the PMU policy: do the unit tests notice when it breaks?

Each mutation below changes one thing in a strategy file, in the MSR-bitmap
setup (intercepts.c), in the CPUID filter (guest_view.c) or in the guest's
intercepted MSR paths (guest_msr.c): a flipped comparison, a dropped WRMSR,
a changed intercept or CPUID bit, a changed table entry. The script copies the tracked tree to a scratch
directory, checks that the unmutated unit tests pass there, then applies
the mutations one at a time, rebuilds the unit tests and runs them: a
mutation is caught when the run fails. It prints one line per mutation and
"mutate: caught N of M", and exits 1 if any survived or did not apply.

    tests/mutate.py [--keep] [FILE_OR_WORDS...]   # e.g. rfc.c, intercepts.c, self-test
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (file, what, old text, new text): old must occur exactly once in file.
MUTATIONS = [
    # off
    ("hv/pmu/off.c", "PDCM stays visible",
     "r->ecx &= ~(u32)CPUID_1_ECX_PDCM;", "r->ecx |= 0;"),
    ("hv/pmu/off.c", "CPUID 0xA keeps its counters",
     "*r = (struct cpuid_regs){ 0, 0, 0, 0 };", "r->eax &= ~0xffu;"),
    ("hv/pmu/off.c", "no PMU MSR intercepted",
     ".exits = PMU_EXIT_ALL,", ".exits = 0,"),
    # passthrough
    ("hv/pmu/passthrough.c", "selector writes exit",
     ".filter_cpuid = pmu_cpuid_guest_share,",
     ".filter_cpuid = pmu_cpuid_guest_share, .exits = PMU_EXIT_EVTSEL_WRITE,"),
    # switch
    ("hv/pmu/switch.h", "host FIXED_CTR_CTRL not loaded on exit",
     "switch_write(counted, MSR_CORE_PERF_FIXED_CTR_CTRL, PMU_HOST_FIXED_CTR_CTRL);", "(void)0;"),
    ("hv/pmu/switch.h", "guest fixed counter 0 not zeroed",
     "switch_write(counted, msr_fixed_ctr(FIXED_INSTRUCTIONS), 0);", "(void)0;"),
    ("hv/pmu/switch.h", "guest fixed counter 1 not written back",
     "switch_write_from(counted, msr_fixed_ctr(FIXED_CORE_CYCLES),\n\t\t\t  &pmu.guest.fixed[FIXED_CORE_CYCLES]);",
     "(void)0;"),
    ("hv/pmu/switch.h", "guest FIXED_CTR_CTRL not written back",
     "switch_write_from(counted, MSR_CORE_PERF_FIXED_CTR_CTRL, &pmu.guest.fixed_ctr_ctrl);", "(void)0;"),
    ("hv/pmu/switch.h", "host counters not enabled",
     "switch_write(counted, MSR_CORE_PERF_GLOBAL_CTRL, PMU_HOST_GLOBAL_CTRL);", "(void)0;"),
    ("hv/pmu/switch.h", "host counters not disabled before the guest's values go back",
     "switch_write(counted, MSR_CORE_PERF_GLOBAL_CTRL, 0);", "(void)0;"),
    ("hv/pmu/lean.h", "stats=off switches with the other read method",
     "		switch_out_guest(false, false);", "		switch_out_guest(false, true);"),
    ("hv/pmu/lean.h", "stats=off calls save but not restore",
     "		pmu.ops->restore(reason);", "		(void)reason;"),
    ("hv/exit/vmexit.c", "a flagged reason does not switch at stats=off",
     "		handle_exit(basic, false, lean);", "		handle_exit(basic, false, (enum pmu_lean)(lean & 0));"),
    ("hv/pmu/switch.c", "FIXED_CTR_CTRL writes pass",
     ".exits = PMU_EXIT_FIXED_CTR_CTRL_WRITE,", ".exits = 0,"),
    # lazy
    ("hv/pmu/lazy.c", "switches on every exit",
     "return lazy_switches(reason) && pmu_strategy_switch.save(reason);",
     "return (lazy_switches(reason) || true) && pmu_strategy_switch.save(reason);"),
    ("hv/pmu/lazy.c", "every Nth exit inverted",
     "lazy.exits % lazy.every == 0", "lazy.exits % lazy.every != 0"),
    ("hv/pmu/lazy.c", "default without HLT",
     "(BIT(EXIT_REASON_IO_INSTRUCTION) | BIT(EXIT_REASON_HLT))",
     "BIT(EXIT_REASON_IO_INSTRUCTION)"),
    ("hv/pmu/lazy.c", "default replaces pmu_lazy=",
     "if (lazy.reasons || lazy.every)", "if (lazy.reasons && lazy.every)"),
    ("hv/pmu/lazy.c", "FIXED_CTR_CTRL writes pass",
     ".exits = PMU_EXIT_FIXED_CTR_CTRL_WRITE,", ".exits = 0,"),
    # rfc
    ("hv/pmu/rfc.c", "selector zeroed only when zero",
     "if (g->evtsel[i])", "if (!g->evtsel[i])"),
    ("hv/pmu/rfc.c", "saved status not set again",
     "pmu_wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, g->global_status);", "(void)0;"),
    ("hv/pmu/rfc.c", "GLOBAL_CTRL not cleared before restore",
     "pmu_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, 0);", "(void)0;"),
    ("hv/pmu/rfc.c", "GP counters restored through the wrong index",
     "pmu_write_gp(i, g->pmc[i]);", "pmu_write_gp(i, g->pmc[0]);"),
    ("hv/pmu/rfc.c", "status not held outside",
     ".status_held_outside = true,", ".status_held_outside = false,"),
    ("hv/pmu/rfc.c", "no STATUS_SET warning",
     ".warnings = PMU_WARN_NO_STATUS_SET | PMU_WARN_LEGACY_WRITES,",
     ".warnings = PMU_WARN_LEGACY_WRITES,"),
    # mediated
    ("hv/pmu/mediated.c", "counter written only when equal",
     "if (pmu_read_gp(i) != g->pmc[i])", "if (pmu_read_gp(i) == g->pmc[i])"),
    ("hv/pmu/mediated.c", "status not restored",
     "pmu_restore_global_status(g->global_status);", "(void)0;"),
    ("hv/pmu/mediated.c", "FIXED_CTR_CTRL not zeroed on exit",
     "if (g->fixed_ctr_ctrl)\n\t\tpmu_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, 0);", "(void)0;"),
    ("hv/pmu/mediated.c", "selector writes pass",
     ".exits = PMU_EXIT_EVTSEL_WRITE | PMU_EXIT_FIXED_CTR_CTRL_WRITE,",
     ".exits = PMU_EXIT_FIXED_CTR_CTRL_WRITE,"),
    ("hv/pmu/mediated.c", "status not held outside",
     ".status_held_outside = true,", ".status_held_outside = false,"),
    ("hv/pmu/mediated.c", "no legacy-writes warning",
     ".warnings = PMU_WARN_NO_STATUS_SET | PMU_WARN_LEGACY_WRITES,",
     ".warnings = PMU_WARN_NO_STATUS_SET,"),
    # partition (its tests are tests/unit/test_pmu_partition.c)
    ("hv/pmu/guest_view.c", "v5 fixed-counter bitmap not offered",
     "r->ecx = pmu.caps.version >= 5 ? fixed : 0;", "r->ecx = 0;"),
    ("hv/pmu/partition.c", "FIXED_CTR_CTRL passes",
     "pmu.extra_exits = PMU_EXIT_FIXED_CTR_CTRL_READ | PMU_EXIT_FIXED_CTR_CTRL_WRITE;",
     "pmu.extra_exits = PMU_EXIT_FIXED_CTR_CTRL_READ;"),
    ("hv/pmu/partition.c", "host FIXED_CTR_CTRL fields not merged",
     "pmu.host.fixed_ctr_ctrl | value)", "value)"),
    ("hv/pmu/partition.c", "the host's fields writable by the guest",
     "if (value & ~guest_fixed_ctrl_fields())", "if (value & 0)"),
    ("hv/pmu/partition.c", "RDPMC of the host's counters allowed",
     "if (!pmu_guest_owns_reg(counter))\n\t\treturn false;\n\tif (pmu.rdpmc_broken)",
     "if (pmu.rdpmc_broken)"),
    # the MSR-bitmap setup
    ("hv/pmu/intercepts.c", "PERF_CAPABILITIES reads pass",
     "intercept(bm, MSR_IA32_PERF_CAPABILITIES, MSR_INTERCEPT_RW);",
     "intercept(bm, MSR_IA32_PERF_CAPABILITIES, MSR_INTERCEPT_WRITE);"),
    ("hv/pmu/intercepts.c", "DS area passes",
     "intercept(bm, MSR_IA32_DS_AREA, MSR_INTERCEPT_RW);", "(void)0;"),
    ("hv/pmu/intercepts.c", "IA32_A_PMCx intercepted where full-width writes exist",
     "if (owned && !pmu.full_width_writes)", "if (owned && pmu.full_width_writes)"),
    ("hv/pmu/intercepts.c", "unowned fixed counters pass",
     "if (!(pmu.guest_global_mask & global_bit_fixed(j)))",
     "if (pmu.guest_global_mask & global_bit_fixed(j))"),
    ("hv/pmu/intercepts.c", "unowned GP counters pass",
     "bool owned = pmu.guest_global_mask & global_bit_gp(i);", "bool owned = true;"),
    ("hv/pmu/intercepts.c", "selector intercept on reads instead of writes",
     "intercept(bm, msr_evtsel(i), MSR_INTERCEPT_WRITE);",
     "intercept(bm, msr_evtsel(i), MSR_INTERCEPT_READ);"),
    ("hv/pmu/intercepts.c", "FIXED_CTR_CTRL policy inverted",
     "if (exits & PMU_EXIT_FIXED_CTR_CTRL_WRITE)", "if (!(exits & PMU_EXIT_FIXED_CTR_CTRL_WRITE))"),
    ("hv/pmu/intercepts.c", "OVF_CTRL writes pass with a partial share",
     "\t\tintercept(bm, MSR_CORE_PERF_GLOBAL_OVF_CTRL, MSR_INTERCEPT_WRITE);", "(void)0;"),
    ("hv/pmu/intercepts.c", "pmu=off leaves STATUS_SET out",
     "m <= MSR_CORE_PERF_GLOBAL_STATUS_SET; m++)", "m < MSR_CORE_PERF_GLOBAL_STATUS_SET; m++)"),
    ("hv/pmu/intercepts.c", "pmu=off lets RDPMC through",
     "if (!pmu_guest_has_pmu())\n\t\treturn true;", "if (!pmu_guest_has_pmu())\n\t\treturn false;"),
    # the CPUID filter
    ("hv/pmu/guest_view.c", "DS visible",
     "r->edx &= ~(u32)CPUID_1_EDX_DS;", "(void)0;"),
    ("hv/pmu/guest_view.c", "DTES64 visible",
     "r->ecx &= ~(u32)CPUID_1_ECX_DTES64;", "(void)0;"),
    ("hv/pmu/guest_view.c", "architectural LBR visible",
     "r->edx &= ~(u32)(CPUID_7_EDX_ARCH_LBR | CPUID_7_EDX_HYBRID);",
     "r->edx &= ~(u32)CPUID_7_EDX_HYBRID;"),
    ("hv/pmu/guest_view.c", "LBR leaf not cleared",
     "} else if (leaf == CPUID_LEAF_ARCH_LBR &&", "} else if (leaf == CPUID_LEAF_ARCH_LBR + 1 &&"),
    ("hv/pmu/guest_view.c", "CPUID 0xA reports every GP counter",
     "r->eax = (r->eax & ~0xff00u) | (pmu.guest_gp << 8);",
     "r->eax = (r->eax & ~0xff00u) | (pmu.nr_gp << 8);"),
    # the guest's intercepted MSRs and the per-exit calls
    ("hv/pmu/guest_msr.c", "PERF_CAPABILITIES read unfiltered",
     "*value = caps & PERF_CAP_FW_WRITE;", "*value = caps;"),
    ("hv/pmu/guest_msr.c", "DEBUGCTL check inverted",
     "if (value & ~DEBUGCTL_GUEST_ALLOWED)", "if (value & DEBUGCTL_GUEST_ALLOWED)"),
    ("hv/pmu/guest_msr.c", "status writes go outside for every switching strategy",
     "bool saved_out = pmu.switched && pmu.ops->status_held_outside;",
     "bool saved_out = pmu.switched;"),
    ("hv/pmu/guest_msr.c", "status bits of unowned counters accepted",
     "u64 guest_bits = pmu.guest_global_mask |", "u64 guest_bits = ~0ULL |"),
    ("hv/pmu/guest_msr.c", "guest GLOBAL_CTRL write dropped",
     "\t\tpmu_set_guest_global_ctrl(value);\n\t\treturn true;", "\t\treturn true;"),
    ("hv/pmu/strategy.c", "switched exits not restored",
     "pmu.switched = pmu.ops->save && pmu.ops->save(reason);",
     "pmu.switched = pmu.ops->save && pmu.ops->save(reason) && false;"),
    ("hv/cpu/global_ctrl_check.c", "global_ctrl=vmcs self-test ignores the VM exit",
     "if (in_guest != guest_value || after != host_value)", "if (in_guest != guest_value)"),
    ("hv/cpu/global_ctrl_check.c", "global_ctrl=vmcs self-test ignores the VM entry",
     "if (in_guest != guest_value || after != host_value)", "if (after != host_value)"),
    ("hv/pmu/strategy.c", "STATUS_SET warning on every CPU",
     "if (!pmu.has_status_set && (pmu.ops->warnings & PMU_WARN_NO_STATUS_SET))",
     "if (pmu.ops->warnings & PMU_WARN_NO_STATUS_SET)"),
]


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)


def copy_tree(dst):
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           stdout=subprocess.PIPE).stdout.split(b"\0")
    for f in filter(None, (x.decode() for x in files)):
        src = os.path.join(ROOT, f)
        if not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
        shutil.copy2(src, os.path.join(dst, f))


def unit_tests(tree):
    """(built, passed, build output): the unit tests of tree, rebuilt."""
    build = run(["make", "-s", "build/unit-tests"], tree)
    if build.returncode:
        return False, False, build.stdout
    return True, run(["build/unit-tests"], tree).returncode == 0, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("only", nargs="*",
                    help="only mutations whose file path or description contains this")
    ap.add_argument("--keep", action="store_true", help="keep the scratch tree")
    a = ap.parse_args()
    chosen = [m for m in MUTATIONS if not a.only or any(o in m[0] or o in m[1] for o in a.only)]
    if not chosen:
        sys.exit("mutate: no mutation matches " + " ".join(a.only))
    tree = tempfile.mkdtemp(prefix="pmuvisor-mutate-")
    try:
        copy_tree(tree)
        built, passed, _ = unit_tests(tree)
        if not (built and passed):
            sys.exit("mutate: the unmutated unit tests do not pass; nothing to measure")
        caught = bad = 0
        for path, what, old, new in chosen:
            text = open(os.path.join(tree, path)).read()
            if text.count(old) != 1:
                print(f"NOT APPLIED {path}: {what} (the text occurs {text.count(old)} times)")
                bad += 1
                continue
            with open(os.path.join(tree, path), "w") as f:
                f.write(text.replace(old, new))
            built, passed, output = unit_tests(tree)
            with open(os.path.join(tree, path), "w") as f:
                f.write(text)
            if not built:
                print(f"NOT BUILT   {path}: {what}: {output.strip().splitlines()[-1:]}")
                bad += 1
            elif passed:
                print(f"SURVIVED    {path}: {what}")
            else:
                print(f"caught      {path}: {what}")
                caught += 1
            sys.stdout.flush()
        print(f"mutate: caught {caught} of {len(chosen)}"
              + (f" ({bad} did not apply or build)" if bad else ""))
        return 0 if caught == len(chosen) else 1
    finally:
        if a.keep:
            print(f"mutate: scratch tree {tree}")
        else:
            shutil.rmtree(tree, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
