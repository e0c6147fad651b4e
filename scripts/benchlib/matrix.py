"""The strategy matrix: which boots to make, how, and how each one ended."""

from __future__ import annotations

import datetime
import os
import platform as host
import re
import subprocess
import tempfile
import time
from typing import Callable, Sequence

from . import strategies, tables
from .parse import Run, setting

DEFAULT_PMU = strategies.names()  # the hypervisor's table (build/pmu-strategies.tsv)
DEFAULT_GLOBAL_CTRL = ("lists", "vmcs")
DEFAULT_PMU_READ = ("rdpmc", "rdmsr")
DEFAULT_STATS = ("full",)
STATS_LEVELS = tables.stats_levels()  # hv/exit/stats.h (build/stats-levels.tsv)
PLATFORMS = ("bochs", "qemu", "kvm")

BOCHS_VMCS_NOTE = ("global_ctrl=vmcs skipped on Debian's Bochs: Bochs 2.7 accepts the dedicated "
                   "'load IA32_PERF_GLOBAL_CTRL' controls but does not apply them, so the mode "
                   "cannot be measured there (docs/bench.md)")

# What scripts/run's exit status means: the hypervisor's own statuses
# (hv/base/status.h, build/statuses.tsv), then scripts/run's.
STATUS_MEANING: dict[int, str] = {
    **tables.statuses(),
    124: "the run timed out",
    125: "the run ended without a 'pmuvisor: exit status' line",
    126: "scripts/run: bad usage or platform",
}
_ERROR_LINE = re.compile(r"pmuvisor: error: .*")


def kvm_usable() -> bool:
    if not (os.access("/dev/kvm", os.R_OK | os.W_OK)):
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            return any(line.startswith("flags") and " vmx" in f" {line.split(':', 1)[-1]} "
                       for line in f)
    except OSError:
        return False


def default_platform() -> str:
    return "kvm" if kvm_usable() else "bochs"


def log_name(platform: str, pmu: str, gc: str, read: str, rep: int, stats: str = "full") -> str:
    level = "" if stats == "full" else f"-stats{stats}"
    return f"{platform}-{pmu}-{gc}-{read}{level}-r{rep}.log"


def hv_args(pmu: str, gc: str, read: str, extra: str = "", stats: str = "full") -> str:
    """The hypervisor command line of one run."""
    words = [f"pmu={pmu} global_ctrl={gc} pmu_read={read} stats={stats} loglevel=1",
             extra.strip()]
    return " ".join(w for w in words if w)


RUN_KEYS = ("pmu", "global_ctrl", "pmu_read", "stats")
CMDLINE_MAX = 511  # hv/boot/multiboot2.h BOOT_CMDLINE_MAX, less the terminating NUL


def _setting(run: Run, key: str) -> str:
    return setting(run, key) or ("full" if key == "stats" else "")


def one_boot_args(runs: Sequence[Run], extra: str = "") -> str:
    """The hypervisor command line that runs all these runs in one boot: what
    they share as key=value words, what differs in one runs= configuration
    each (key:value joined by '+')."""
    shared = [k for k in RUN_KEYS if len({_setting(r, k) for r in runs}) == 1]
    varying = [k for k in RUN_KEYS if k not in shared]
    words = [f"{k}={_setting(runs[0], k)}" for k in shared] + ["loglevel=1"]
    if varying:
        words.append("runs=" + "/".join("+".join(f"{k}:{_setting(r, k)}" for k in varying)
                                        for r in runs))
    if len(runs) > 1 and not varying:
        words.append(f"repeat={len(runs)}")
    words.append(extra.strip())
    return " ".join(w for w in words if w)


def one_boot_plan(runs: Sequence[Run], logdir: str) -> list[tuple[Run, list[Run]]]:
    """The boots of --one-boot: one per repetition, each running that repetition's
    runs; a boot is a Run without a strategy, its log named <platform>-matrix-r<k>.log."""
    boots = []
    for rep in sorted({r.rep for r in runs}):
        group = [r for r in runs if r.rep == rep]
        log = os.path.join(logdir, f"{group[0].platform}-matrix-r{rep}.log")
        boots.append((Run(group[0].platform, "", "", "", rep, log), group))
    return boots


def guest_args(iters: int | None) -> str:
    return f"iters={iters}" if iters is not None else ""


LINUX = "linux"  # Debian's kernel and the initramfs of `make linux`, not a guests/ image


def linux_cmdline(repo: str) -> str:
    """The Linux guest's kernel command line on the emulators: the lines of
    guests/linux/cmdline that are not comments."""
    with open(os.path.join(repo, "guests", "linux", "cmdline")) as f:
        return " ".join(x.strip() for x in f if x.strip() and not x.startswith("#"))


def guest_modules(repo: str, guest: str, iters: int | None) -> list[tuple[str, str]]:
    """The modules of a boot, [(path, string)]: the guest (its string is its
    command line) and its own modules. The Linux guest is the uncompressed
    kernel entered through its PVH note, with the initramfs; iters becomes
    its workload's iteration count."""
    if guest == LINUX:
        cmdline = linux_cmdline(repo) + (f" pmuvisor.iterations={iters}" if iters else "")
        return [(os.path.join(repo, "build", "linux", "vmlinux"), cmdline),
                (os.path.join(repo, "build", "linux", "initrd.img"), "initrd")]
    return [(os.path.join(repo, "build", "guests", f"{guest}.elf"), guest_args(iters))]


def run_flags(platform: str, guest: str) -> list[str]:
    """scripts/run options a guest needs. Debian's kernel reads MSRs at boot
    that Bochs' CPU model lacks and hardware has; with Bochs' strict MSRs
    (scripts/run's default) they #GP before the kernel can take a fault.
    With --one-boot the hypervisor keeps pristine copies of kernel and
    initramfs, so the Linux guest gets 512 MiB of RAM."""
    if guest != LINUX:
        return []
    return ["--memory", "512"] + (["--lenient-msrs"] if platform == "bochs" else [])


def build_targets(repo: str, guest: str) -> list[str]:
    """What make builds before a run of this guest."""
    if guest == LINUX:
        return ["build/pmuvisor.elf", "linux"]
    return ["build/pmuvisor.elf", os.path.relpath(guest_modules(repo, guest, None)[0][0], repo)]


def plan(platform: str, pmus: Sequence[str], gcs: Sequence[str], reads: Sequence[str], reps: int,
         logdir: str, say: Callable[[str], object] = print,
         stats: Sequence[str] = DEFAULT_STATS) -> list[Run]:
    """The runs to make, repetition-major so that drift over time is spread over
    all strategies alike. Notes combinations skipped on this platform."""
    if platform == "bochs" and os.environ.get("PMUVISOR_BOCHS") == "debian" and "vmcs" in gcs:
        say(f"bench: note: {BOCHS_VMCS_NOTE}")
        gcs = [g for g in gcs if g != "vmcs"]
    runs = []
    for rep in range(1, reps + 1):
        for pmu in pmus:
            for gc in gcs:
                for read in reads:
                    for level in stats:
                        name = log_name(platform, pmu, gc, read, rep, level)
                        runs.append(Run(platform, pmu, gc, read, rep,
                                        os.path.join(logdir, name), stats=level))
    return runs


def last_lines(text: str, n: int = 8) -> list[str]:
    lines = [x.rstrip() for x in text.split("\n")]
    return [x for x in lines if x][-n:]


_STATUS_LINE = re.compile(r"^pmuvisor: exit status ([0-9]+)\s*$", re.M)


def exit_status(log_text: str) -> int | None:
    """The status of the hypervisor's last 'pmuvisor: exit status N' line, or None."""
    found: list[str] = _STATUS_LINE.findall(log_text.replace("\r", ""))
    return int(found[-1]) if found else None


def classify(status: int, log_text: str, stderr: str = "") -> tuple[str, str]:
    """('ok' | 'refused' | 'failed', note) for a run that ended with status."""
    if status == 0:
        return "ok", ""
    errors: list[str] = _ERROR_LINE.findall(log_text.replace("\r", ""))
    if status == 2 and errors:
        return "refused", errors[-1]
    what = STATUS_MEANING.get(status, "unknown status")
    detail = errors[-1] if errors else (stderr.strip().splitlines() or [""])[-1]
    return "failed", f"status {status} ({what})" + (f": {detail}" if detail else "")


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cmd_out(cmd: list[str]) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return r.stdout.strip() if r.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def describe_platform(platform: str, ran_here: bool = True) -> str:
    """The emulator and its version, or 'hardware' for real-hardware logs. Versions
    are those installed here, so only for runs made here."""
    if platform == "hardware":
        return "hardware (serial console logs)"
    if not ran_here:
        return f"{platform} (serial console logs read with --from-logs; emulator not recorded)"
    if platform == "bochs":
        # scripts/run's Bochs: the counting one unless $PMUVISOR_BOCHS says debian.
        if os.environ.get("PMUVISOR_BOCHS") != "debian":
            return ("Bochs 3.0 with the counting PMU (scripts/get-bochs; scripts/run, "
                    "emulated VMX; TSC = path length)")
        v = _cmd_out(["dpkg-query", "-W", "-f=${Version}", "bochs"])
        return f"Bochs {v or '(version unknown)'} (scripts/run --bochs debian, emulated VMX; TSC = path length)"
    if platform in ("qemu", "kvm"):
        v = (_cmd_out(["qemu-system-x86_64", "--version"]).splitlines() or ["QEMU (version unknown)"])[0]
        if platform == "qemu":
            return f"{v}, TCG"
        cpu = ""
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
                cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
        except OSError:
            pass
        return f"{v}, nested under KVM on Linux {host.release()}" + (f", host CPU {cpu}" if cpu else "")
    return f"{platform} (serial console logs)"


def run_one(repo: str, run: Run, modules: Sequence[tuple[str, str]], extra: str, timeout: int,
            args: str | None = None, flags: Sequence[str] = (),
            progress: Callable[[int], object] | None = None) -> str:
    """Build the ISO, boot it, and fill in run.status/note/date. Returns the log text.
    modules: guest_modules(); args: the whole hypervisor command line, else the
    run's own (hv_args); progress: called about every second of the boot with
    the seconds it has run."""
    log = os.path.abspath(run.log)
    os.makedirs(os.path.dirname(log), exist_ok=True)
    run.date = now()
    with tempfile.TemporaryDirectory(prefix="pmuvisor-bench-") as tmp:
        iso = os.path.join(tmp, "bench.iso")
        mk = subprocess.run([os.path.join(repo, "scripts", "mkiso"), iso,
                             args or hv_args(run.pmu, run.global_ctrl, run.pmu_read, extra,
                                             run.stats or "full")] +
                            [x for path, string in modules for x in (os.path.abspath(path), string)],
                            capture_output=True, text=True, cwd=repo)
        if mk.returncode != 0:
            why = "; ".join(last_lines(mk.stderr, 2)) or f"status {mk.returncode}"
            run.status, run.note = "failed", f"scripts/mkiso failed: {why}"
            return ""
        with subprocess.Popen([os.path.join(repo, "scripts", "run"), "--platform", run.platform,
                               "--iso", iso, "--serial", log, "--quiet",
                               "--timeout", str(timeout)] + list(flags),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=repo) as r:
            start = time.monotonic()
            while True:
                try:
                    _, stderr = r.communicate(timeout=1)
                    break
                except subprocess.TimeoutExpired:
                    if progress:
                        progress(int(time.monotonic() - start))
    try:
        with open(log, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        text = ""
    run.status, run.note = classify(r.returncode, text, stderr)
    return text
