#!/usr/bin/env python3
"""Boot tests: each case in tests/boot/cases.cfg builds an ISO, boots it on
an emulator with a timeout, and checks the hypervisor's exit status and the
serial output. Prints one line per case and closes with
'boot: N passed, M failed'."""
import argparse
import configparser
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def kvm_usable():
    try:
        with open("/proc/cpuinfo") as f:
            has_vmx = re.search(r"\bvmx\b", f.read()) is not None
    except OSError:
        return False
    return has_vmx and os.access("/dev/kvm", os.R_OK | os.W_OK)


def build_iso(case, workdir):
    iso = os.path.join(workdir, "test.iso")
    cmd = [os.path.join(ROOT, "scripts/mkiso"), iso, case.get("hv_args", "")]
    for spec in filter(None, (s.strip() for s in case.get("modules", "").splitlines())):
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


def check_output(case, log, status):
    problems = []
    want = int(case["status"])
    if status != want:
        problems.append(f"exit status {status}, expected {want}")
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
        start = time.time()
        status = subprocess.run(cmd, stderr=subprocess.PIPE, text=True).returncode
        elapsed = time.time() - start
        with open(serial, errors="replace") as f:
            log = f.read().replace("\r", "")
    problems = check_output(case, log, status)
    if problems or verbose:
        print(f"--- serial log of {name} ---")
        print(log.rstrip())
        print("--- end ---")
    return problems, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("cases", nargs="*", help="case names (default: all)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--config", default=os.path.join(ROOT, "tests/boot/cases.cfg"))
    args = ap.parse_args()

    cfg = configparser.ConfigParser(interpolation=None)
    if not cfg.read(args.config):
        print(f"boot: cannot read the case list {args.config}")
        print("boot: 0 passed, 1 failed")
        return 1
    names = args.cases or cfg.sections()
    if not names:
        print(f"boot: {args.config} lists no case")
        print("boot: 0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    for name in names:
        if name not in cfg:
            print(f"boot: no such case {name}")
            failed += 1
            continue
        case = cfg[name]
        if case["platform"] == "kvm" and not kvm_usable():
            print(f"SKIP {name}: needs KVM with VMX (no /dev/kvm or no vmx in /proc/cpuinfo)")
            skipped += 1
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
