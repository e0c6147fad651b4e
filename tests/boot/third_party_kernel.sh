#!/usr/bin/env bash
# A multiboot1 kernel nobody here wrote (Xen, from Debian) boots under
# pmuvisor in Bochs and prints its own console output exactly as it does
# when GRUB boots it directly, apart from the two lines where Xen names its
# boot loader and echoes its command line (GRUB passes the image path, and
# Xen strips it for loaders other than GRUB). Xen stops at "dom0 kernel not
# specified" and, with noreboot, halts with interrupts disabled: the native
# run ends by timeout, the hypervisor run when it sees that HLT (status 0;
# guest_limit is only the safety net).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
args="/xen com1=115200,8n1 console=com1 noreboot"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
result() { # $1 ok|FAIL, $2 name, $3 detail
	if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	echo "$1   $2${3:+: $3}"
}

if ! scripts/get-xen; then
	result FAIL xen-download "could not fetch the Xen package"
	echo "thirdparty: $pass passed, $fail failed"
	exit 1
fi
scripts/mkiso --native "$work/native.iso" build/thirdparty/xen.elf "$args"
scripts/mkiso "$work/hv.iso" "guest_limit=500000000" build/thirdparty/xen.elf "$args"
scripts/run --platform bochs --iso "$work/native.iso" --serial "$work/native.log" --quiet --timeout 12 2>/dev/null
scripts/run --platform bochs --iso "$work/hv.iso" --serial "$work/hv.log" --quiet --timeout 60 2>/dev/null
hv_status=$?

xen_lines() { tr -d '\r' < "$1" | grep '^(XEN)' | grep -vE '^\(XEN\) (Bootloader|Command line):'; }
xen_lines "$work/native.log" > "$work/native.xen"
xen_lines "$work/hv.log" > "$work/hv.xen"

if grep -q 'dom0 kernel not specified' "$work/native.xen"; then
	result ok xen-native-reaches-its-panic
else
	result FAIL xen-native-reaches-its-panic "native Xen did not print its panic; log:"
	cat "$work/native.log"
fi
if [ -s "$work/hv.xen" ] && diff -u "$work/native.xen" "$work/hv.xen"; then
	result ok xen-under-pmuvisor-prints-the-same "$(wc -l < "$work/hv.xen") lines"
else
	result FAIL xen-under-pmuvisor-prints-the-same "output differs or is empty; hypervisor log:"
	tr -d '\r' < "$work/hv.log" | tail -n 40
fi
if [ "$hv_status" = 0 ] && grep -q 'guest ended: guest halted with interrupts disabled' "$work/hv.log"; then
	result ok xen-halt-ends-the-run
else
	result FAIL xen-halt-ends-the-run "status $hv_status"
fi
echo "thirdparty: $pass passed, $fail failed"
[ "$fail" = 0 ]
