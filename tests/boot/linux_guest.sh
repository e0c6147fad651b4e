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
# fpu__init_system_xstate and RETBleed's), "guest powered off via ACPI",
# the host PMU restored, status 0; and what the guest's perf shows on the
# counting Bochs (docs/bochs-pmu.md), where the strategy gives the guest a
# PMU (all but pmu=off):
#   - perf stat of the workload: non-zero cpu-cycles, instructions and
#     branch-instructions;
#   - the loop and cpuid phases' user-mode instructions and branches
#     (perf stat -e instructions:u,branches:u, in the window the workload
#     opens and closes itself) equal the counts the workload computes. The
#     CPUIDs' exits do not change them: a CPUID that exits does not retire
#     in the guest, and the VMRESUME that resumes the guest retires there at
#     its CPL 3 with its counters enabled, in the CPUID's place. The one
#     allowed difference is an interrupt taken in user mode inside the
#     window, whose IRET retires at CPL 3 and adds one instruction and one
#     branch: both counts must then exceed the workload's by the same r, no
#     more than the interrupts the kernel counted. Where the events had a
#     counter for less than the whole window (too few counters next to the
#     NMI watchdog: pmu=partition pmu_gp=2), perf's counts are scaled
#     estimates or <not counted>: printed with their error, not checked;
#   - perf record: samples, and the workload's loop (loop_work) the top
#     symbol of perf report.
# On Debian's Bochs 2.7 (PMUVISOR_BOCHS=debian) nothing counts: its hardware
# events must read 0 instead (RDPMC is emulated from the counter MSRs).
# Prints, as measurements and not as pass/fail limits, the wall time to the
# kernel's first line, to userspace and to the power-off, the guest's uptime
# at userspace, the counts above, and the exits per reason.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
cpus=2 timeout_s=900 cases=() bochs=${PMUVISOR_BOCHS:-pmu}
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

# What the guest's perf counted and sampled (see the top): one line per part
# to $work/info, and the problems, if any, on stdout.
perf_checks() { # $1 case, $2 log
	local name=$1 log=$2 bad="" ev v line=""
	for ev in cpu-cycles instructions branch-instructions; do
		v=$(awk -v ev="$ev" '$2 == ev && $1 ~ /^[0-9,.]+$/ { gsub(",", "", $1); print $1; exit }' "$work/stat")
		[ -n "$v" ] && [ "$v" != 0 ] || bad+=" perf stat's $ev is ${v:-missing}, not a count above 0;"
		line+="${line:+, }$ev ${v:-missing}"
	done
	echo "linux: $name perf stat of the workload: $line" >>"$work/info"
	sed -n '/^=== perf user counts begin ===$/,/^=== perf user counts end ===$/p' "$log" >"$work/user"
	bad+=$(awk -v name="$name" -v info="$work/info" '
		function count(s) { return s ~ /^[0-9]+$/ }
		$1 == "workload:" && $3 == "expect" {
			p = $2; sub(":", "", p); want_i[p] = $5; want_b[p] = $7; sub(",", "", want_b[p]); irq[p] = $9 }
		$1 == "perf:" { # perf: PHASE: COUNT EVENT counted P%, COUNT maybe <not counted>
			p = $2; sub(":", "", p); c = $3; for (i = 4; i < NF - 2; i++) c = c " " $i
			got[p, $(NF - 2)] = c; pct[p, $(NF - 2)] = $NF; sub("%", "", pct[p, $(NF - 2)]) }
		END {
			n = split("loop cpuid", phases)
			for (k = 1; k <= n; k++) {
				p = phases[k]; gi = got[p, "instructions:u"]; gb = got[p, "branches:u"]
				if (want_i[p] == "" || gi == "" || gb == "") {
					printf " no user counts of %s;", p; continue }
				if (pct[p, "instructions:u"] + 0 < 100 || pct[p, "branches:u"] + 0 < 100) {
					line = sprintf("%s: a counter for part of the window only, perf scaled:", p)
					line = line sprintf(" instructions:u %s (%s%% of the window", gi, pct[p, "instructions:u"])
					if (count(gi)) line = line sprintf(", error %+.3f%%", (gi - want_i[p]) * 100 / want_i[p])
					line = line sprintf("), branches:u %s (%s%%", gb, pct[p, "branches:u"])
					if (count(gb)) line = line sprintf(", error %+.3f%%", (gb - want_b[p]) * 100 / want_b[p])
					print "linux: " name " " line "); expected " want_i[p] " and " want_b[p] >>info
					continue
				}
				if (!count(gi) || !count(gb)) {
					printf " perf counted %s and %s in %s;", gi, gb, p; continue }
				ri = gi - want_i[p]; rb = gb - want_b[p]
				line = sprintf("%s: instructions:u %s, branches:u %s in user mode, ", p, gi, gb)
				if (ri == 0 && rb == 0)
					line = line "exactly the workload'"'"'s counts"
				else
					line = line sprintf("the workload'"'"'s %s and %s %+d and %+d (%s interrupts in the window)",
						want_i[p], want_b[p], ri, rb, irq[p])
				print "linux: " name " " line >>info
				if (ri != rb || ri < 0 || (ri > 0 && (irq[p] < 0 || ri > irq[p])))
					printf " %s counts instructions:u %s and branches:u %s, the workload %s and %s with %s interrupts;",
						p, gi, gb, want_i[p], want_b[p], irq[p]
			}
		}' "$work/user")
	sed -n '/^=== perf record begin ===$/,/^=== perf record end ===$/p' "$log" >"$work/record"
	local samples top
	samples=$(sed -n 's/^# Samples: \([0-9]*\) .*/\1/p' "$work/record")
	top=$(grep -m 1 -E '^ +[0-9.]+% ' "$work/record" | tr -s ' ' | sed 's/^ //')
	echo "linux: $name perf record: ${samples:-no} samples, top: ${top:-none}" >>"$work/info"
	[ "${samples:-0}" -gt 0 ] || bad+=" perf record took no samples;"
	[ "$(echo "$top" | cut -d ' ' -f 3)" = loop_work ] || bad+=" perf report's top symbol is not loop_work: '$top';"
	echo "$bad"
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
	sed -n '/^=== perf stat begin ===$/,/^=== perf stat end ===$/p' "$log" >"$work/stat"
	if [ "$bochs" = debian ]; then
		# Hardware events read 0: Bochs 2.7 counts nothing, and emulated RDPMC must say so.
		grep -E '^ +[0-9,.]+ +(cpu-cycles|instructions|ref-cycles|branch-instructions|branch-misses|cache-references|cache-misses) ' "$work/stat" |
			grep -vE '^ +0 ' >"$work/counts"
		if [ -s "$work/counts" ]; then
			bad+=" a hardware event counted in Bochs 2.7: $(head -n 1 "$work/counts" | tr -s ' ');"
		fi
	else
		case "$name" in
		*-off)
			grep -qF "guest: the PMU lists no hardware events" "$log" ||
				bad+=" the guest without a PMU ran perf on hardware events;" ;;
		*) bad+=$(perf_checks "$name" "$log") ;;
		esac
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
	: >"$work/info"
	check "$name" "$work/log" "$status"
	for m in "${markers[@]}"; do
		printf 'linux: %-16s %-34s %s\n' "$name" "$m" "${at[$m]:+at ${at[$m]} s wall}"
	done
	sed -n 's/^guest: uptime \(.*\) at userspace$/linux: '"$name"' guest uptime at userspace \1/p' "$work/log"
	cat "$work/info"
	sed -n '/^pmuvisor: exit statistics/,/^pmuvisor:   total/p' "$work/log" | sed "s/^pmuvisor:/linux: $name/"
done
echo "linux: $pass passed, $fail failed"
[ "$fail" = 0 ]
