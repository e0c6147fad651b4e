#!/usr/bin/env bash
# scripts/bench end to end on Bochs: a tiny matrix (two strategies, one
# repetition, few iterations) must give a CSV with every row the report is
# made of, non-empty PNG plots, and a results page.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0 fail=0
result() {
	if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	echo "$1   $2"
}

scripts/bench --platform bochs --pmu off,switch --pmu-read rdmsr --reps 1 --iters 20 \
	--out "$out/bench" --no-build >"$out/log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	result ok bench-exits-0
else
	result FAIL "bench-exits-0 (status $rc)"
	tail -20 "$out/log"
fi

missing=0
expect_row() { # $1 pmu, $2 source,kind,metric,stat
	grep -q "^bochs,$1,lists,rdmsr,full,1,$2," "$out/bench/results.csv" 2>/dev/null ||
		{ echo "     missing row: bochs,$1,lists,rdmsr,full,1,$2"; missing=$((missing + 1)); }
}
for pmu in off switch; do
	for row in hv,CPUID,tsc,median hv,VMCALL,count,value hv,IO_INSTRUCTION,pmu_msr_accesses,mean \
		guest,CPUID,tsc,median guest,VMCALL,tsc,p99 guest,MSR_READ,tsc,min; do
		expect_row $pmu $row
	done
done
# Only a guest with a PMU measures with it active and runs the counted workload.
expect_row switch guest,IO_INSTRUCTION_pmu_active,tsc,median
expect_row switch guest,workload,pmc0,value
if [ "$missing" = 0 ]; then
	result ok csv-has-every-row
else
	result FAIL "csv-has-every-row ($missing missing)"
fi

# The hypervisor's own counters (pmu=switch keeps fixed counters 0 and 1)
# measure a part of the exit path that the TSC measures whole; in Bochs both
# count instructions, so the instructions outside the counted part are the
# same for every exit reason: TSC minus instructions is one constant.
agree=$(awk -F, '$1 == "bochs" && $2 == "switch" && $7 == "hv" && $10 == "median" &&
	($8 == "CPUID" || $8 == "VMCALL" || $8 == "IO_INSTRUCTION" || $8 == "MSR_READ") {
		v[$8 "," $9] = $11; r[$8] = 1 }
	END { for (x in r) { i = v[x ",instructions"]; t = v[x ",tsc"]
		if (i == "" || i <= 0 || t == "") { print "no instructions for " x; exit }
		d[t - i] = 1; n++ }
	      k = 0; for (x in d) k++
	      print (n == 4 && k == 1) ? "same" : "differs" }' "$out/bench/results.csv" 2>/dev/null)
if [ "$agree" = same ]; then
	result ok hv-counters-agree-with-tsc
else
	result FAIL "hv-counters-agree-with-tsc ($agree)"
fi

bad=0 n=0
for f in "$out"/bench/plots/*.png; do
	[ -e "$f" ] || break
	n=$((n + 1))
	{ [ -s "$f" ] && [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 89504e47 ]; } || bad=$((bad + 1))
done
if [ "$n" -gt 0 ] && [ "$bad" = 0 ]; then
	result ok "plots-are-png ($n)"
else
	result FAIL "plots-are-png ($n plots, $bad bad)"
fi

# switch makes 12 PMU MSR accesses on every VMCALL, RDMSR and I/O exit on
# the counting Bochs (its fixed counters count, so each is saved and
# restored); the first CPUID exits find them still at 0.
scripts/results-page "$out/bench" --docs "$out/docs" >/dev/null 2>"$out/page.err"
# The backquotes are Markdown's, not the shell's.
# shellcheck disable=SC2016
if grep -q "path lengths, not hardware latency" "$out/docs/results.md" 2>/dev/null &&
	grep -q '^| `switch` | [0-9.]* | 12.00 | 12.00 | 12.00 |$' "$out/docs/results.md"; then
	result ok results-page-names-bochs-and-counts-accesses
else
	result FAIL results-page-names-bochs-and-counts-accesses
	cat "$out/page.err"
	# shellcheck disable=SC2016
	grep '^| `switch` |' "$out/docs/results.md"
fi
echo "bench-live: $pass passed, $fail failed"
[ "$fail" = 0 ]
