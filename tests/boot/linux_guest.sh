#!/usr/bin/env bash
# Debian's stock kernel as the guest under pmuvisor in Bochs: it reaches
# userspace, runs `perf stat` (the initramfs from scripts/mkinitrd), powers
# off through ACPI into the hypervisor's report, and the host PMU is put
# back. Each case is KIND-STRATEGY:
#   pvh-S      the uncompressed vmlinux through its PVH entry (fast)
#   bzimage-S  Debian's vmlinuz through the 32-bit boot protocol (it
#              decompresses itself, emulated: minutes)
# with S a pmu= strategy (build/pmu-strategies.tsv). Default: pvh-switch.
#
#   tests/boot/linux_guest.sh [--cpus N] [--timeout S] [CASE...]
#   tests/boot/linux_guest.sh --all     every strategy through PVH, and bzimage-switch
#
# Checks, per case: the guest's userspace and perf stat markers, no BUG,
# Oops, general protection fault or Kernel panic line, no WARNING but the
# two a native boot in Bochs prints too (the XSAVE-size WARN in
# fpu__init_system_xstate and RETBleed's), hardware events counting 0
# (nothing counts in Bochs: RDPMC is emulated from the counter MSRs),
# "guest powered off via ACPI", the host PMU restored, status 0. Prints, as
# measurements and not as pass/fail limits, the wall time to the kernel's
# first line, to userspace and to the power-off, the guest's uptime at
# userspace, and the exits per reason.
set -uo pipefail
cd "$(dirname "$0")/../.."
cpus=2 timeout_s=900 cases=()
while [ $# -gt 0 ]; do
	case "$1" in
	--cpus) cpus=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--all)
		while IFS=$'\t' read -r name _; do cases+=("pvh-$name"); done < build/pmu-strategies.tsv
		cases+=(bzimage-switch)
		shift ;;
	-*) echo "usage: $0 [--cpus N] [--timeout S] [--all | CASE...]" >&2; exit 2 ;;
	*) cases+=("$1"); shift ;;
	esac
done
[ ${#cases[@]} -gt 0 ] || cases=(pvh-switch)
pass=0 fail=0
result() { # $1 ok|FAIL, $2 name, $3 detail
	if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	echo "$1   $2${3:+: $3}"
}
for f in build/linux/vmlinux build/linux/vmlinuz build/linux/initrd.img build/pmuvisor.elf; do
	if [ ! -f "$f" ]; then
		result FAIL linux-guest "no $f (make linux all builds it)"
		echo "linux: $pass passed, $fail failed"
		exit 1
	fi
done
cmdline=$(sed -e '/^#/d' -e '/^$/d' guests/linux/cmdline)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seconds since start at which the serial log first holds each marker.
markers=("pmuvisor: starting" "pmuvisor: launching the guest" "Linux version" \
	"=== guest userspace reached ===" "=== perf stat end ===" "pmuvisor: exit status")
watch_markers() { # $1 serial log, $2 emulator pid, $3 start
	declare -gA at=()
	local m
	while :; do
		for m in "${markers[@]}"; do
			[ -z "${at[$m]:-}" ] && grep -qF -- "$m" "$1" 2>/dev/null &&
				at[$m]=$(echo "$(date +%s.%N) - $3" | bc)
		done
		kill -0 "$2" 2>/dev/null || break
		sleep 0.5
	done
}

check() { # $1 case, $2 log, $3 status
	local name=$1 log=$2 status=$3 bad=""
	local need=("=== guest userspace reached ===" "=== perf stat begin ===" \
		"=== perf stat end ===" "guest: perf stat exited with status 0" \
		"pmuvisor: guest ended: guest powered off via ACPI" \
		"pmuvisor: pmu: host PMU state restored and verified")
	local m
	for m in "${need[@]}"; do
		grep -qF -- "$m" "$log" || bad+=" missing '$m';"
	done
	# "pmu: host PMU ... verified" is only printed where the guest has a PMU.
	case "$name" in *-off) bad=${bad/ missing \'pmuvisor: pmu: host PMU state restored and verified\';/} ;; esac
	if grep -E 'BUG:|Oops|general protection fault|Kernel panic' "$log" >"$work/oops"; then
		bad+=" the kernel oopsed: $(head -n 1 "$work/oops");"
	fi
	# Natively Bochs makes the kernel print these two as well.
	if grep -F 'WARNING:' "$log" |
		grep -vE 'WARNING: CPU: 0 PID: 0 at .* fpu__init_system_xstate|RETBleed: WARNING: Spectre v2 mitigation' >"$work/warn"; then
		bad+=" a WARNING a native boot does not print: $(head -n 1 "$work/warn");"
	fi
	# Hardware events read 0: Bochs counts nothing, and emulated RDPMC must say so.
	sed -n '/^=== perf stat begin ===$/,/^=== perf stat end ===$/p' "$log" |
		grep -E '^ +[0-9,.]+ +(cpu-cycles|instructions|ref-cycles|branch-instructions|branch-misses|cache-references|cache-misses) ' |
		grep -vE '^ +0 ' >"$work/counts"
	if [ -s "$work/counts" ]; then
		bad+=" a hardware event counted in Bochs: $(head -n 1 "$work/counts" | tr -s ' ');"
	fi
	[ "$status" = 0 ] || bad+=" status $status;"
	if [ -z "$bad" ]; then result ok "$name"; else
		result FAIL "$name" "$bad"
		tail -n 30 "$log"
	fi
}

for name in "${cases[@]}"; do
	kind=${name%%-*} strategy=${name#*-}
	case "$kind" in
	pvh) kernel=build/linux/vmlinux ;;
	bzimage) kernel=build/linux/vmlinuz ;;
	*) result FAIL "$name" "unknown kind '$kind' (pvh or bzimage)"; continue ;;
	esac
	iso=$work/$name.iso serial=$work/$name.log
	if ! scripts/mkiso "$iso" "pmu=$strategy" "$kernel" "$cmdline" \
		build/linux/initrd.img initrd; then
		result FAIL "$name" "mkiso failed"
		continue
	fi
	: >"$serial"
	start=$(date +%s.%N)
	# Lenient MSRs: the kernel reads IA32_MISC_ENABLE (0x1a0) before it has an
	# IDT, which Bochs' CPU models lack; strictly that #GP is a triple fault,
	# natively as under pmuvisor.
	scripts/run --platform bochs --lenient-msrs --cpus "$cpus" --iso "$iso" --timeout "$timeout_s" \
		--serial "$serial" --quiet 2>"$work/run.err" &
	emu=$!
	watch_markers "$serial" "$emu" "$start"
	wait "$emu"
	status=$?
	tr -d '\r' <"$serial" >"$work/log"
	check "$name" "$work/log" "$status"
	for m in "${markers[@]}"; do
		printf 'linux: %-16s %-34s %s\n' "$name" "$m" "${at[$m]:+at ${at[$m]} s wall}"
	done
	sed -n 's/^guest: uptime \(.*\) at userspace$/linux: '"$name"' guest uptime at userspace \1/p' "$work/log"
	sed -n '/^pmuvisor: exit statistics/,/^pmuvisor:   total/p' "$work/log" | sed "s/^pmuvisor:/linux: $name/"
done
echo "linux: $pass passed, $fail failed"
[ "$fail" = 0 ]
