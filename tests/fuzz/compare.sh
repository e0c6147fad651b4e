#!/usr/bin/env bash
# Boots the fuzz guest (guests/fuzz) with one seed natively (GRUB loads it
# directly) and under pmuvisor with one PMU strategy, both in Debian's Bochs
# 2.7 with strict MSRs, and compares the per-operation outcomes. Lines of
# kinds that legitimately differ under a hypervisor ("fz-hv:") are left out.
#
# Debian's Bochs, not the counting one (scripts/run --bochs debian): where
# counters count, a counter read returns the instructions or branches since
# it was written, which depend on the instruction path (natively, or through
# the hypervisor's emulation), so the values would differ for no fault of
# the hypervisor's. In Bochs 2.7 the PMU MSRs are storage and read back.
#
#   tests/fuzz/compare.sh SEED OPS STRATEGY [KINDS]
#
# With STRATEGY off the guest has no PMU: its pmu operations are not compared
# with the native run but must all #GP. With partition the hypervisor keeps
# some counters for itself (they #GP in the guest): pmu operations are not
# compared. lazy runs as pmu=lazy pmu_lazy=cpuid
# pmu_lazy_every=7.
#
# Prints one line, "ok   ..." or "FAIL ...: reason" followed by details, and
# exits 0 or 1. Failures: the hypervisor's status is not 0 (status 4 is
# always one), either run reports implausible outcomes or does not finish,
# or an outcome differs from the native run. FUZZ_KEEP=DIR keeps the logs.
# FUZZ_NATIVE_CACHE=DIR reuses native logs between strategies.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
{ [ $# -ge 3 ] && [ $# -le 4 ]; } || { echo "usage: $0 SEED OPS STRATEGY [KINDS]" >&2; exit 2; }
seed=$1 ops=$2 strategy=$3 kinds=${4:-all}
[[ $seed =~ ^[0-9]+$ && $ops =~ ^[0-9]+$ ]] || { echo "compare: SEED and OPS must be numbers" >&2; exit 2; }
{ [ -f build/guests/fuzz.elf ] && [ -f build/pmuvisor.elf ]; } || { echo "compare: build first (make)" >&2; exit 2; }
args="seed=$seed ops=$ops kinds=$kinds verbose"
name="seed=$seed ops=$ops pmu=$strategy kinds=$kinds"
# Bochs runs about 1000 operations a second with verbose output; leave room for a loaded machine.
timeout_s=$((60 + ops / 20))
if [ -n "${FUZZ_KEEP:-}" ]; then
	work=$FUZZ_KEEP
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
work=$(cd "$work" && pwd)

run_native() { # $1: log
	scripts/mkiso --native "$work/native.iso" build/guests/fuzz.elf "$args" || return 1
	scripts/run --platform bochs --bochs debian --strict-msrs --iso "$work/native.iso" --serial "$1" \
		--quiet --timeout "$timeout_s" 2>/dev/null
	return 0
}

native=$work/native.log
if [ -n "${FUZZ_NATIVE_CACHE:-}" ]; then
	mkdir -p "$FUZZ_NATIVE_CACHE"
	# Bochs' configuration parser splits at commas: none in the serial file's name.
	native=$FUZZ_NATIVE_CACHE/native-$seed-$ops-${kinds//,/+}.log
	{ [ -s "$native" ] && grep -q '^fuzz: [0-9]* implausible' "$native"; } || run_native "$native"
else
	run_native "$native"
fi
hv_args="pmu=$strategy"
[ "$strategy" = lazy ] && hv_args="pmu=lazy pmu_lazy=cpuid pmu_lazy_every=7"
scripts/mkiso "$work/hv.iso" "$hv_args" build/guests/fuzz.elf "$args" || exit 1
scripts/run --platform bochs --bochs debian --strict-msrs --iso "$work/hv.iso" --serial "$work/hv.log" \
	--quiet --timeout "$timeout_s" 2>"$work/run.err"
status=$?

outcomes() { tr -d '\r' < "$1" | grep -E '^(fz:|fuzz: implausible)'; }
outcomes "$native" > "$work/native.fz"
outcomes "$work/hv.log" > "$work/hv.fz"
problems=()
if [ "$strategy" = off ]; then
	pmu_ops='^fz: [0-9]+ pmu '
	grep -E "$pmu_ops" "$work/hv.fz" | grep -v -e '-> #GP(0x0)' > "$work/pmu-not-gp" &&
		problems+=("pmu=off: a PMU access did not #GP: $(head -n 1 "$work/pmu-not-gp")")
fi
# Bochs' RDPMC is not the hardware's (GP counters read 0 whatever the index,
# fixed counters #GP); pmuvisor emulates RDPMC where it does not read back:
# RDPMC outcomes are not compared.
for f in native hv; do
	grep -vE '^fz: [0-9]+ pmu rdpmc ' "$work/$f.fz" > "$work/$f.tmp"
	mv "$work/$f.tmp" "$work/$f.fz"
done
# IA32_PERF_CAPABILITIES is read-only: hardware #GPs every WRMSR, and so does
# pmuvisor; Bochs (whose MSR file only marks bits reserved) #GPs only writes
# that change a bit. Those writes are a Bochs quirk (docs/fuzz.md), not compared.
for f in native hv; do
	grep -vE "^fz: [0-9]+ pmu wrmsr 0x345 " "$work/$f.fz" > "$work/$f.tmp"
	mv "$work/$f.tmp" "$work/$f.fz"
done
# Random MSR indices of the msr kind can land on a PMU MSR: under off and
# partition those belong to nobody or to the hypervisor, and #GP by design.
pmu_msr='^fz: [0-9]+ msr (rd|wr)msr 0x(c[1-8]|18[6-9a-d]|30[9a-c]|345|38[d-f]|39[01]|4c[1-8]) '
if [ "$strategy" = off ]; then
	grep -E "$pmu_msr" "$work/hv.fz" | grep -v -e '-> #GP(0x0)' > "$work/pmu-msr-not-gp" &&
		problems+=("pmu=off: a PMU MSR access did not #GP: $(head -n 1 "$work/pmu-msr-not-gp")")
fi
if [ "$strategy" = off ] || [ "$strategy" = partition ]; then
	grep -vE -e '^fz: [0-9]+ pmu ' -e "$pmu_msr" "$work/native.fz" > "$work/n"
	grep -vE -e '^fz: [0-9]+ pmu ' -e "$pmu_msr" "$work/hv.fz" > "$work/h"
	mv "$work/n" "$work/native.fz"
	mv "$work/h" "$work/hv.fz"
fi
grep -q '^fuzz: 0 implausible' "$native" ||
	problems+=("native run: $(tr -d '\r' < "$native" | grep -E '^fuzz: ([0-9]+ implausible|error)' | head -n 1 || echo 'did not finish')")
[ "$status" = 0 ] || problems+=("hypervisor exit status $status")
if ! grep -q '^fuzz: [0-9]* implausible' "$work/hv.log"; then
	problems+=("hypervisor run did not finish (last op: $(grep -E '^fz(-hv)?: [0-9]+' "$work/hv.log" | tail -n 1 | tr -d '\r'))")
fi
if ! diff -q "$work/native.fz" "$work/hv.fz" >/dev/null; then
	first=$(diff "$work/native.fz" "$work/hv.fz" | grep -E '^[<>]' | head -n 2 | tr '\n' '|')
	problems+=("outcomes differ from native: $first")
fi
if [ ${#problems[@]} = 0 ]; then
	echo "ok   $name ($(grep -c '^fz:' "$work/hv.fz") compared outcomes)"
	exit 0
fi
echo "FAIL $name"
for p in "${problems[@]}"; do echo "     $p"; done
tr -d '\r' < "$work/hv.log" | grep -E '^pmuvisor: (error|FATAL|guest ended|exit status)|^  R[IC]|^fuzz: implausible' | head -n 8 | sed 's/^/     | /'
exit 1
