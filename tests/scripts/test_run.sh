#!/usr/bin/env bash
# scripts/run and scripts/mkiso refuse what they cannot do with a clear
# line and a distinct status, instead of hanging or guessing.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() { # $1 name, $2 expected status, $3 expected stderr text, rest: command
	check_in err "$@"
}

check_in() { # $1 err|out (where the text must appear; out takes both streams), then as check
	local where=$1 name=$2 want=$3 text=$4 got
	shift 4
	if [ "$where" = out ]; then "$@" >"$work/out" 2>&1; else "$@" >"$work/out" 2>"$work/err"; fi
	got=$?
	if [ "$got" = "$want" ] && grep -qF -- "$text" "$work/$where"; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name: status $got (want $want), std$where: $(tail -n 3 "$work/$where")"
	fi
}

check run-without-iso 126 "ISO '' not found" scripts/run --platform bochs
check run-with-bad-memory 126 "run: --memory takes MiB, 32 to 65536, not '12x'" \
	scripts/run --platform bochs --memory 12x --iso Makefile
check run-bochs-with-memory-beyond-its-limit 126 "run: --memory takes MiB, 32 to 65536, not '65537' (Bochs' limit" \
	scripts/run --platform bochs --memory 65537 --iso Makefile
check run-qemu-with-too-much-memory 126 "run: --memory takes MiB, 32 to 16777216, not '16777217'" \
	scripts/run --platform qemu --memory 16777217 --iso Makefile
check run-with-unknown-firmware 126 "run: --firmware takes bios (SeaBIOS, Bochs' BIOS) or uefi (OVMF, QEMU only), not 'efi'" \
	scripts/run --platform qemu --firmware efi --iso Makefile
check run-bochs-with-uefi 126 "run: --firmware uefi is for QEMU (--platform qemu or kvm): Bochs boots only its own BIOS" \
	scripts/run --platform bochs --firmware uefi --iso Makefile
check run-with-unknown-platform 126 "usage:" scripts/run --platform vmware --iso Makefile
check run-with-unknown-bochs 126 "run: --bochs (or \$PMUVISOR_BOCHS) takes pmu (Bochs 3.0 with the counting PMU) or debian (Debian's Bochs 2.7), not 'bogus'" \
	scripts/run --platform bochs --bochs bogus --iso Makefile

# scripts/get-bochs, without building anything: a cached tarball that is not
# the one it checks for stops it with one line, before any download or build.
unset PMUVISOR_BOCHS_PMU_DIR
mkdir -p "$work/cache-bad"
echo "not Bochs" >"$work/cache-bad/bochs_3.0+dfsg.orig.tar.xz"
PMUVISOR_CACHE=$work/cache-bad scripts/get-bochs >"$work/out" 2>"$work/err"
got=$?
if [ "$got" != 0 ] && [ ! -s "$work/out" ] && [ "$(wc -l <"$work/err")" = 1 ] &&
	grep -q "^get-bochs: .*bochs_3.0+dfsg.orig.tar.xz has sha256 [0-9a-f]*, not 78f6c73d.*: remove it" "$work/err" &&
	[ -z "$(find "$work/cache-bad" -name 'bochs-pmu-*' -type d)" ]; then
	pass=$((pass + 1))
	echo "ok   get-bochs-refuses-a-tarball-with-the-wrong-checksum"
else
	fail=$((fail + 1))
	echo "FAIL get-bochs-refuses-a-tarball-with-the-wrong-checksum: status $got, stderr: $(head -n 3 "$work/err")"
fi
# A cached build is found at once, and the key follows the patch files'
# names and bytes, not the directory they are in.
cache=$work/cache
fake=$(PMUVISOR_CACHE=$cache scripts/get-bochs --path)
cp -r scripts/bochs/pmu "$work/pmu-copy"
same=$(PMUVISOR_CACHE=$cache PMUVISOR_BOCHS_PMU_DIR=$work/pmu-copy scripts/get-bochs --path)
echo >>"$work/pmu-copy/pmu.h"
other=$(PMUVISOR_CACHE=$cache PMUVISOR_BOCHS_PMU_DIR=$work/pmu-copy scripts/get-bochs --path)
if [ "$same" = "$fake" ] && [ "$other" != "$fake" ] && [[ $fake == "$cache"/bochs-pmu-*/bochs ]] &&
	! PMUVISOR_CACHE=$cache scripts/get-bochs --check; then
	pass=$((pass + 1))
	echo "ok   get-bochs-key-follows-the-patch-files"
else
	fail=$((fail + 1))
	echo "FAIL get-bochs-key-follows-the-patch-files: $fake, $same, $other"
fi
# A stand-in for the counting Bochs: scripts/run must start it headless
# without an rc file, an msrs= file or a sound line, and read its serial.
mkdir -p "$(dirname "$fake")"
cat >"$fake" <<'FAKE'
#!/bin/sh
[ $# = 3 ] && [ "$1" = -q ] && [ "$2" = -f ] && [ "$TERM" = dumb ] || exit 3
grep -q -e ' msrs=' -e '^sound:' "$3" && exit 3
echo "pmuvisor: exit status 7" >"$(sed -n 's/^com1: .*dev=//p' "$3")"
FAKE
chmod +x "$fake"
PMUVISOR_CACHE=$cache scripts/get-bochs >"$work/out" 2>"$work/err"
got=$?
if [ "$got" = 0 ] && [ "$(cat "$work/out")" = "$fake" ] && [ ! -s "$work/err" ] &&
	PMUVISOR_CACHE=$cache scripts/get-bochs --check; then
	pass=$((pass + 1))
	echo "ok   get-bochs-finds-a-cached-build"
else
	fail=$((fail + 1))
	echo "FAIL get-bochs-finds-a-cached-build: status $got, stdout $(cat "$work/out"), stderr: $(head -n 3 "$work/err")"
fi
check_in out run-starts-the-counting-bochs-without-rc-msrs-or-sound 7 "pmuvisor: exit status 7" \
	env PMUVISOR_CACHE="$cache" scripts/run --platform bochs --bochs pmu --iso Makefile --timeout 20
# What `make run` shows: the console without its results blocks, which stay
# in a file bench reads, named in the last line. The stand-in plays a
# serial log: its first lines, a pause of $FAKE_PAUSE s, the rest.
cat >"$fake" <<'FAKE'
#!/bin/sh
serial=$(sed -n 's/^com1: .*dev=//p' "$3")
head -n 4 "$FAKE_LOG" >"$serial"
sleep "${FAKE_PAUSE:-0}"
tail -n +5 "$FAKE_LOG" >>"$serial"
FAKE
fixture=$PWD/tests/bench/fixtures/kvm-switch-lists-rdpmc-r1.log
fake_run() { # $1 serial log to play, then scripts/run's options
	local log=$1
	shift
	FAKE_LOG=$log PMUVISOR_CACHE=$cache scripts/run --platform bochs --bochs pmu --iso Makefile \
		--timeout 20 --results-dir "$work/results" "$@"
}
fake_run "$fixture" >"$work/out" 2>"$work/err"
got=$?
kept=$(sed -n 's/^results: \(.*\) (scripts\/bench --from-logs reads it)$/\1/p' "$work/out")
if [ "$got" = 0 ] && grep -qx "exit-bench: done" "$work/out" && grep -qx "pmuvisor: exit status 0" "$work/out" &&
	! grep -q -e "^meta," -e "^data," -e "^=== " "$work/out" &&
	[ "$(head -n -1 "$work/out" | wc -l)" = "$(grep -cv -e "^meta," -e "^data," -e "^=== " "$fixture")" ] &&
	[[ $(tail -n 1 "$work/out") == "results: $work/results/run-"[0-9]*-[0-9]*".log (scripts/bench --from-logs reads it)" ]] &&
	tr -d '\r' <"$fixture" | cmp -s - "$kept" &&
	scripts/bench --from-logs "$kept" --no-plots --out "$work/bench" >"$work/bench.out" 2>&1 &&
	[ "$(grep -c "^hardware," "$work/bench/results.csv")" -gt 10 ]; then
	pass=$((pass + 1))
	echo "ok   run-shows-the-console-and-keeps-the-results-blocks-in-a-file"
else
	fail=$((fail + 1))
	echo "FAIL run-shows-the-console-and-keeps-the-results-blocks-in-a-file: status $got, file '$kept', stdout: $(tail -n 3 "$work/out"), stderr: $(tail -n 3 "$work/err"), bench: $(tail -n 2 "$work/bench.out" 2>/dev/null)"
fi
fake_run "$fixture" --verbose >"$work/out" 2>&1
got=$?
if [ "$got" = 0 ] && tr -d '\r' <"$fixture" | cmp -s - <(head -n -1 "$work/out") &&
	tail -n 1 "$work/out" | grep -q "^results: "; then
	pass=$((pass + 1))
	echo "ok   run-verbose-shows-the-results-blocks-too"
else
	fail=$((fail + 1))
	echo "FAIL run-verbose-shows-the-results-blocks-too: status $got, stdout: $(tail -n 3 "$work/out")"
fi
# A block cut short by a line of no block (a fault while printing it) shows
# that line; with --serial FILE the results stay in FILE.
printf '%s\n' "pmuvisor: starting" "=== pmuvisor results begin ===" "meta,run,1" \
	"pmuvisor: error: #PF in the hypervisor" "pmuvisor: exit status 4" >"$work/cut.log"
fake_run "$work/cut.log" --serial "$work/serial.log" >"$work/out" 2>&1
got=$?
if [ "$got" = 4 ] && [ "$(cat "$work/out")" = "$(printf '%s\n' "pmuvisor: starting" \
	"pmuvisor: error: #PF in the hypervisor" "pmuvisor: exit status 4" \
	"results: $work/serial.log (scripts/bench --from-logs reads it)")" ]; then
	pass=$((pass + 1))
	echo "ok   run-shows-the-line-that-cuts-a-block-short"
else
	fail=$((fail + 1))
	echo "FAIL run-shows-the-line-that-cuts-a-block-short: status $got, stdout: $(cat "$work/out")"
fi
# While the console is silent, a line says the run goes on (off a terminal,
# after each $PMUVISOR_RUN_PROGRESS seconds of silence).
FAKE_PAUSE=4 PMUVISOR_RUN_PROGRESS=2 fake_run "$fixture" >"$work/out" 2>"$work/err"
got=$?
if [ "$got" = 0 ] && grep -q "^run: [0-9]*s on bochs, still running, the console silent for 2s (serial log: " "$work/err" &&
	grep -qx "pmuvisor: exit status 0" "$work/out"; then
	pass=$((pass + 1))
	echo "ok   run-says-it-goes-on-while-the-console-is-silent"
else
	fail=$((fail + 1))
	echo "FAIL run-says-it-goes-on-while-the-console-is-silent: status $got, stderr: $(tail -n 3 "$work/err")"
fi
check mkiso-with-missing-guest 2 "no such guest image: /nonexistent.elf" \
	scripts/mkiso "$work/x.iso" "" /nonexistent.elf ""
check fuzz-compare-without-arguments 2 "usage:" tests/fuzz/compare.sh
check fuzz-compare-with-a-bad-seed 2 "SEED and OPS must be numbers" tests/fuzz/compare.sh x 10 switch
check fuzz-run-with-a-bad-argument 2 "usage:" tests/fuzz/run.sh --bogus
# The ISO holds the hypervisor, the guests and grub.cfg, and nothing else of
# ours (a build log once slipped in and made xorriso fail when it grew).
iso_files() {
	xorriso -indev "$1" -find / -type f 2>/dev/null |
		grep -v -e "^'/boot/grub/\(i386-pc\|fonts\|locale\|x86_64-efi\|i386-efi\)/" -e "^'/efi.img'$" -e "^'/System/" -e "^'/mach_kernel'$"
}
if scripts/mkiso "$work/t.iso" "pmu=switch" build/guests/hello.elf "a b" 2>"$work/err" &&
	[ "$(iso_files "$work/t.iso" | sort | tr '\n' ' ')" = "'/boot/grub/grub.cfg' '/boot/m0-hello.elf' '/boot/pmuvisor.elf' " ] &&
	xorriso -indev "$work/t.iso" -osirrox on -extract /boot/grub/grub.cfg "$work/grub.cfg" >/dev/null 2>&1 &&
	grep -qxF $'\tmultiboot2 /boot/pmuvisor.elf pmu=switch' "$work/grub.cfg" &&
	grep -qxF $'\tmodule2 --nounzip /boot/m0-hello.elf a b' "$work/grub.cfg"; then
	pass=$((pass + 1))
	echo "ok   mkiso-packs-only-what-it-staged"
else
	fail=$((fail + 1))
	echo "FAIL mkiso-packs-only-what-it-staged: $(cat "$work/err"); files: $(iso_files "$work/t.iso" | tr '\n' ' ')"
fi
# A test run that selects nothing must fail, not report "0 passed, 0 failed".
check_in out unit-selection-matching-nothing-fails 1 "no test matches the selection" \
	build/unit-tests no-such-unit-test
check_in out boot-with-missing-case-list-fails 1 "cannot read the case list" \
	python3 tests/boot/run.py --config "$work/no-such-cases.cfg"
: >"$work/empty.cfg"
check_in out boot-with-empty-case-list-fails 1 "lists no case" \
	python3 tests/boot/run.py --config "$work/empty.cfg"
if grep -qw vmx /proc/cpuinfo && [ -w /dev/kvm ]; then
	echo "skip run-kvm-without-vmx: this host has VMX and /dev/kvm"
else
	check run-kvm-without-vmx 126 "platform kvm needs a usable /dev/kvm and a host CPU with vmx" \
		scripts/run --platform kvm --iso Makefile
fi
echo "scripts: $pass passed, $fail failed"
[ "$fail" = 0 ]
