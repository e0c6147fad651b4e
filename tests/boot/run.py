#!/usr/bin/env python3
"""Boot tests: each case in tests/boot/*.cfg (cases.cfg first, then the
others in name order; the keys are described at the top of cases.cfg)
builds an ISO, boots it on an emulator with a timeout, and checks the exit
status and the serial output. Prints one line per case and closes with
'boot: N passed, M failed'."""
import argparse
import configparser
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASE_DIR = os.path.join(ROOT, "tests/boot")
KEYS = {"platform", "hv_args", "modules", "make_files", "status", "expect", "reject",
        "cpus", "timeout", "cpu_model", "bochs", "native", "memory", "firmware", "console"}
# scripts/run's exit status when the emulator ended without a "pmuvisor: exit
# status" line: how a native guest that ended the machine itself leaves it.
RUN_NO_STATUS_LINE, RUN_TIMED_OUT = 125, 124


def config_files():
    """cases.cfg first, then the other lists in name order: another list can
    be added without touching cases.cfg."""
    main = os.path.join(CASE_DIR, "cases.cfg")
    return [main] + sorted(f for f in glob.glob(os.path.join(CASE_DIR, "*.cfg")) if f != main)


def case_problems(case):
    """What is wrong with one case's keys, before anything runs."""
    problems = [f"unknown key '{k}'" for k in case if k not in KEYS]
    for k in ("platform", "status"):
        if k not in case:
            problems.append(f"no '{k}' key")
    if case.get("platform", "bochs") not in ("bochs", "qemu", "kvm"):
        problems.append(f"platform '{case['platform']}' is not bochs, qemu or kvm")
    if not re.fullmatch(r"\d+", case.get("status", "0")):
        problems.append(f"status '{case['status']}' is not a number")
    if "bochs" in case:
        if case["bochs"] not in ("pmu", "debian"):
            problems.append(f"bochs '{case['bochs']}' is not pmu or debian")
        if case.get("platform") != "bochs":
            problems.append("bochs is for platform bochs only")
    if "memory" in case and not re.fullmatch(r"\d+", case["memory"]):
        problems.append(f"memory '{case['memory']}' is not a number of MiB")
    if case.get("firmware", "bios") not in ("bios", "uefi"):
        problems.append(f"firmware '{case['firmware']}' is not bios or uefi")
    if case.get("firmware") == "uefi" and case.get("platform") == "bochs":
        problems.append("firmware uefi is for platforms qemu and kvm only")
    if case.get("console", "com1") not in ("com1", "com2"):
        problems.append(f"console '{case['console']}' is not com1 or com2")
    if case.get("native", "no") not in ("yes", "no"):
        problems.append(f"native '{case['native']}' is not yes or no")
    if is_native(case):
        if case.get("hv_args", "").strip():
            problems.append("a native case has no hypervisor, so no hv_args")
        if len(module_specs(case)) != 1:
            problems.append("a native case boots exactly one module")
    return problems


def load_cases(files):
    """{name: case} from every list, or (None, [problems])."""
    cases, origin, problems = {}, {}, []
    for path in files:
        cfg = configparser.ConfigParser(interpolation=None)
        try:
            if not cfg.read(path):
                problems.append(f"cannot read the case list {path}")
                continue
        except configparser.Error as e:
            problems.append(f"{path}: {e}".replace("\n", " "))
            continue
        for name in cfg.sections():
            if name in cases:
                problems.append(f"case {name} is in both {origin[name]} and {path}")
                continue
            problems += [f"{path}: [{name}]: {p}" for p in case_problems(cfg[name])]
            cases[name], origin[name] = cfg[name], path
    return (None, problems) if problems else (cases, [])


def is_native(case):
    return case.get("native", "no") == "yes"


def bochs_of(case):
    """The Bochs a case boots: its key, else $PMUVISOR_BOCHS, else pmu."""
    return case.get("bochs") or os.environ.get("PMUVISOR_BOCHS") or "pmu"


def kvm_usable():
    try:
        with open("/proc/cpuinfo") as f:
            has_vmx = re.search(r"\bvmx\b", f.read()) is not None
    except OSError:
        return False
    return has_vmx and os.access("/dev/kvm", os.R_OK | os.W_OK)


def module_specs(case):
    return [s.strip() for s in case.get("modules", "").splitlines() if s.strip()]


def build_iso(case, workdir):
    iso = os.path.join(workdir, "test.iso")
    if is_native(case):
        cmd = [os.path.join(ROOT, "scripts/mkiso"), "--native", iso]
    else:
        cmd = [os.path.join(ROOT, "scripts/mkiso"), iso, case.get("hv_args", "")]
    for spec in module_specs(case):
        path, _, args = spec.partition(" ")
        if not os.path.isabs(path):
            path = os.path.join(ROOT, path)
        cmd += [path, args]
    done = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise OSError(f"mkiso exited {done.returncode}: {done.stderr.strip()}")
    return iso


def patterns(case, key):
    return [p.strip() for p in case.get(key, "").splitlines() if p.strip()]


def native_status(log, run_status):
    """A native guest's status, read from its closing 'N passed, M failed'
    line (0 when M is 0, else 1), and what is wrong with the run."""
    if run_status == RUN_TIMED_OUT:
        return None, ["timed out: the guest did not end the machine"]
    if run_status != RUN_NO_STATUS_LINE:
        return None, [f"scripts/run exited {run_status}, expected {RUN_NO_STATUS_LINE} "
                      "(the machine ended without a 'pmuvisor: exit status' line)"]
    closing = re.findall(r"^(\d+) passed, (\d+) failed$", log, re.M)
    if not closing:
        return None, ["the guest printed no closing 'N passed, M failed' line"]
    return (0 if closing[-1][1] == "0" else 1), []


def check_output(case, log, status, stderr):
    want = int(case["status"])
    if is_native(case):
        status, problems = native_status(log, status)
        if status is not None and status != want:
            problems.append(f"guest status {status}, expected {want}")
    else:
        problems = []
        if status != want:
            problems.append(f"exit status {status}, expected {want}")
    if problems and stderr.strip():
        problems.append(f"scripts/run said: {stderr.strip().splitlines()[-1]}")
    for p in patterns(case, "expect"):
        if not re.search(p, log, re.M):
            problems.append(f"missing line matching /{p}/")
    for p in patterns(case, "reject"):
        m = re.search(p, log, re.M)
        if m:
            problems.append(f"unexpected line matching /{p}/: {m.group(0)!r}")
    return problems


def run_case(name, case, verbose):
    with tempfile.TemporaryDirectory() as workdir:
        for spec in filter(None, (s.strip() for s in case.get("make_files", "").splitlines())):
            fname, _, content = spec.partition(" ")
            with open(os.path.join(ROOT, "build", fname), "w") as f:
                f.write(content + "\n")
        try:
            iso = build_iso(case, workdir)
        except (subprocess.CalledProcessError, OSError) as e:
            return [f"could not build the ISO: {e}"], 0.0
        serial = os.path.join(workdir, "serial.log")
        cmd = [os.path.join(ROOT, "scripts/run"), "--platform", case["platform"],
               "--iso", iso, "--serial", serial, "--quiet",
               "--timeout", case.get("timeout", "60"), "--cpus", case.get("cpus", "1")]
        if "cpu_model" in case:
            cmd += ["--cpu-model", case["cpu_model"]]
        if "memory" in case:
            cmd += ["--memory", case["memory"]]
        if "firmware" in case:
            cmd += ["--firmware", case["firmware"]]
        if case["platform"] == "bochs":
            cmd += ["--bochs", bochs_of(case)]
        serial2 = os.path.join(workdir, "serial2.log")
        on_com2 = case.get("console", "com1") == "com2"
        if on_com2:
            cmd += ["--console", "com2", "--serial2", serial2]
        start = time.time()
        done = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
        elapsed = time.time() - start
        with open(serial, errors="replace") as f:
            log = f.read().replace("\r", "")
        com1_problems = []
        if on_com2:
            # The hypervisor's console first, then the guest's COM1, which
            # must carry none of the hypervisor's lines.
            stray = re.search(r"^pmuvisor: .*$", log, re.M)
            if stray:
                com1_problems.append(f"hypervisor line on COM1: {stray.group(0)!r}")
            with open(serial2, errors="replace") as f:
                log = f.read().replace("\r", "") + log
    problems = check_output(case, log, done.returncode, done.stderr) + com1_problems
    if problems or verbose:
        print(f"--- serial log of {name} ---")
        print(log.rstrip())
        print("--- end ---")
    return problems, elapsed


def get_counting_bochs():
    """Build the counting Bochs before any case runs, with scripts/get-bochs'
    progress on stderr (a first build takes minutes), so that no case's
    timeout includes it. False if it cannot be had."""
    done = subprocess.run([os.path.join(ROOT, "scripts/get-bochs")], stdout=subprocess.DEVNULL)
    return done.returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("cases", nargs="*", help="case names (default: all)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--config", action="append",
                    help="a case list; may be repeated (default: tests/boot/cases.cfg, "
                    "then the other tests/boot/*.cfg in name order)")
    args = ap.parse_args()

    files = args.config or config_files()
    cases, problems = load_cases(files)
    if problems:
        for p in problems:
            print(f"boot: {p}")
        print(f"boot: 0 passed, {len(problems)} failed")
        return 1
    names = args.cases or list(cases)
    if not names:
        print(f"boot: {', '.join(files)} lists no case")
        print("boot: 0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    counting_bochs = not any(cases[n]["platform"] == "bochs" and bochs_of(cases[n]) == "pmu"
                             for n in names if n in cases) or get_counting_bochs()
    for name in names:
        if name not in cases:
            print(f"boot: no such case {name}")
            failed += 1
            continue
        case = cases[name]
        if case["platform"] == "kvm" and not kvm_usable():
            print(f"SKIP {name}: needs KVM with VMX (no /dev/kvm or no vmx in /proc/cpuinfo)")
            skipped += 1
            continue
        if case["platform"] == "bochs" and bochs_of(case) == "pmu" and not counting_bochs:
            failed += 1
            print(f"FAIL {name}: not run: scripts/get-bochs could not build the counting Bochs (above)")
            continue
        problems, elapsed = run_case(name, case, args.verbose)
        if problems:
            failed += 1
            print(f"FAIL {name} ({elapsed:.1f}s)")
            for p in problems:
                print(f"     {p}")
        else:
            passed += 1
            print(f"ok   {name} ({elapsed:.1f}s)")
    tail = f", {skipped} skipped" if skipped else ""
    print(f"boot: {passed} passed, {failed} failed{tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
