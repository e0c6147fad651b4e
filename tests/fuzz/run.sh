#!/usr/bin/env bash
# Runs the fuzz guest's native comparison (tests/fuzz/compare.sh) over a set
# of seeds, PMU strategies and operation kinds; closes with
# "fuzz: N passed, M failed".
#
#   tests/fuzz/run.sh          the short set `make test` runs: the kinds the
#                              hypervisor handles today, a few seeds
#   tests/fuzz/run.sh --long   20 seeds x 4000 operations x every strategy,
#                              every kind (`make test-fuzz`)
#   FUZZ_SEEDS, FUZZ_OPS, FUZZ_STRATEGIES, FUZZ_KINDS override either set.
# Every run is on Debian's Bochs 2.7, never the counting one: with counters
# that count, PMU MSR values depend on the instruction path (compare.sh).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
# Every kind of `all` (init, which ends the guest by design, is never in it).
short_kinds=all
if [ "${1:-}" = --long ]; then
	seeds=${FUZZ_SEEDS:-$(seq 1 20)}
	ops=${FUZZ_OPS:-4000}
	# Every strategy of the hypervisor's table (build/pmu-strategies.tsv).
	strategies=${FUZZ_STRATEGIES:-}
	if [ -z "$strategies" ]; then
		make -s pmu-strategies || exit 2
		strategies=$(cut -f 1 build/pmu-strategies.tsv | tr '\n' ' ')
	fi
	kinds=${FUZZ_KINDS:-all}
elif [ $# = 0 ]; then
	seeds=${FUZZ_SEEDS:-1 2}
	ops=${FUZZ_OPS:-400}
	strategies=${FUZZ_STRATEGIES:-switch off}
	kinds=${FUZZ_KINDS:-$short_kinds}
else
	echo "usage: $0 [--long]" >&2
	exit 2
fi
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
pass=0 fail=0
for seed in $seeds; do
	for strategy in $strategies; do
		if FUZZ_NATIVE_CACHE=$cache tests/fuzz/compare.sh "$seed" "$ops" "$strategy" "$kinds"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
