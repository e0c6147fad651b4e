#!/usr/bin/env bash
# scripts/extract-vmlinux on crafted bzImages (a setup header and an xz
# payload made with xz from a tiny ELF carrying the PVH note) and on
# Debian's kernel when scripts/get-linux has fetched it; the initramfs
# when scripts/mkinitrd has built it; the KVM peer VMM's refusals.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0 skip=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

# A tiny ELF64 with notes like the kernel's: a Xen note of another type, then
# XEN_ELFNOTE_PHYS32_ENTRY (18) with an 8-byte descriptor; or without it.
tiny_elf() { # $1 out, $2 1 to include the PVH note
	cat > "$work/t.S" <<ASM
	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 4, 6
	.asciz "Xen"
	.asciz "abc"
	.if $2
	.balign 4
	.long 4, 8, 18
	.asciz "Xen"
	.quad 0x1234560
	.endif
	.text
	.globl _start
_start:	hlt
	.data
	.quad 1, 2, 3
	.fill 8192, 1, 0
ASM
	gcc -c -o "$work/t.o" "$work/t.S" && ld -m elf_x86_64 -o "$1" "$work/t.o"
}

# A bzImage-like file: setup_sects 1, boot protocol $3, the payload after a
# filler "decompressor"; payload_length taken from the payload plus $4.
bzimage() { # $1 out, $2 payload file, $3 protocol version, $4 extra length
	python3 - "$@" <<'PY'
import struct, sys
out, payload, version, extra = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3], 0), int(sys.argv[4])
setup = bytearray(2 * 512)
setup[0x1F1] = 1
struct.pack_into("<H", setup, 0x1FE, 0xAA55)
setup[0x202:0x206] = b"HdrS"
struct.pack_into("<H", setup, 0x206, version)
filler = b"\x90" * 0x300
struct.pack_into("<II", setup, 0x248, len(filler), len(payload) + extra)
open(out, "wb").write(bytes(setup) + filler + payload + b"\0" * 64)
PY
}

size_suffix() { # $1 payload to append to, $2 uncompressed file, $3 added to its size
	python3 -c 'import os, struct, sys; open(sys.argv[1], "ab").write(struct.pack("<I", os.path.getsize(sys.argv[2]) + int(sys.argv[3])))' "$1" "$2" "$3"
}
xz_payload() { # $1 ELF, $2 out, $3 error in the size suffix; the kernel's xz options
	xz --format=xz --check=crc32 --x86 --lzma2 -c "$1" > "$2" && size_suffix "$2" "$1" "${3:-0}"
}

expect() { # $1 name, $2 status, $3 stdout or stderr text, rest: command
	local name=$1 want=$2 text=$3 got
	shift 3
	"$@" >"$work/out" 2>"$work/err"
	got=$?
	if [ "$got" = "$want" ] && grep -qF -- "$text" "$work/out" "$work/err"; then
		ok "$name"
	else
		bad "$name" "status $got (want $want), stdout: $(cat "$work/out"), stderr: $(cat "$work/err")"
	fi
}

if tiny_elf "$work/pvh.elf" 1 && tiny_elf "$work/nopvh.elf" 0 &&
	xz_payload "$work/pvh.elf" "$work/pvh.xz" && xz_payload "$work/nopvh.elf" "$work/nopvh.xz"; then
	bzimage "$work/good" "$work/pvh.xz" 0x020f 0
	expect extract-crafted 0 0x1234560 scripts/extract-vmlinux "$work/good" "$work/good.elf"
	if cmp -s "$work/good.elf" "$work/pvh.elf"; then ok extract-crafted-is-the-elf; else bad extract-crafted-is-the-elf "output differs from the ELF that was compressed"; fi
	# Trimmed: a smaller file that loads to the same memory image.
	expect extract-crafted-trimmed 0 0x1234560 scripts/extract-vmlinux --trim "$work/good" "$work/trim.elf"
	if python3 - "$work/pvh.elf" "$work/trim.elf" <<'PY'
import struct, sys
def image(path):
    b = open(path, "rb").read()
    phoff, = struct.unpack_from("<Q", b, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", b, 0x36)
    n = len(b)
    # The headers, which here lie inside the first segment, may differ.
    b = bytes(phoff + phnum * phentsize) + b[phoff + phnum * phentsize:]
    segs = []
    for i in range(phnum):
        t, _, off, _, pa, fs, ms = struct.unpack_from("<IIQQQQQ", b, phoff + i * phentsize)
        if t == 1:
            segs.append((pa, b[off:off + fs] + bytes(ms - fs)))
    return n, segs
full, trimmed = image(sys.argv[1]), image(sys.argv[2])
sys.exit(0 if trimmed[1] == full[1] and trimmed[0] < full[0] - 8000 else 1)
PY
	then ok trimmed-loads-the-same-image; else bad trimmed-loads-the-same-image "segments differ or the file did not shrink"; fi
	expect check-crafted 0 0x1234560 scripts/extract-vmlinux --check "$work/pvh.elf"
	bzimage "$work/nonote" "$work/nopvh.xz" 0x020f 0
	expect refuse-without-pvh-note 1 "no PVH entry note" scripts/extract-vmlinux "$work/nonote" "$work/x.elf"
	bzimage "$work/old" "$work/pvh.xz" 0x0207 0
	expect refuse-protocol-2.07 1 "older than 2.08" scripts/extract-vmlinux "$work/old" "$work/x.elf"
	bzimage "$work/long" "$work/pvh.xz" 0x020f 100
	expect refuse-payload-past-end 1 "lies outside" scripts/extract-vmlinux "$work/long" "$work/x.elf"
	bzimage "$work/short" "$work/pvh.xz" 0x020f -1
	expect refuse-truncated-xz 1 "xz payload is truncated" scripts/extract-vmlinux "$work/short" "$work/x.elf"
	xz_payload "$work/pvh.elf" "$work/size.xz" 1
	bzimage "$work/size" "$work/size.xz" 0x020f 0
	expect refuse-wrong-size 1 "decompresses to" scripts/extract-vmlinux "$work/size" "$work/x.elf"
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0xff; open(sys.argv[2], "wb").write(b)' "$work/pvh.xz" "$work/bad.xz"
	bzimage "$work/corrupt" "$work/bad.xz" 0x020f 0
	expect refuse-corrupt-xz 1 "xz payload does not decompress" scripts/extract-vmlinux "$work/corrupt" "$work/x.elf"
	gzip -c "$work/pvh.elf" > "$work/pvh.gz" && size_suffix "$work/pvh.gz" "$work/pvh.elf" 0
	bzimage "$work/gz" "$work/pvh.gz" 0x020f 0
	expect extract-gzip-payload 0 0x1234560 scripts/extract-vmlinux "$work/gz" "$work/gz.elf"
	bzimage "$work/unknown" "$work/pvh.elf" 0x020f 0
	expect refuse-uncompressed-payload 1 "neither xz nor gzip" scripts/extract-vmlinux "$work/unknown" "$work/x.elf"
	expect refuse-not-bzimage 1 "not a bzImage" scripts/extract-vmlinux "$work/pvh.elf" "$work/x.elf"
	expect refuse-missing-file 1 "cannot read $work/none" scripts/extract-vmlinux "$work/none" "$work/x.elf"
	if [ -e "$work/x.elf" ]; then bad refusals-write-nothing "$work/x.elf exists"; else ok refusals-write-nothing; fi
else
	bad crafted-inputs "cannot build the tiny ELF or its xz payload"
fi

# Debian's kernel: the entry must be what readelf decodes from the same note,
# inside the kernel's first loadable segment.
if [ -s build/linux/vmlinuz ]; then
	if entry=$(scripts/extract-vmlinux build/linux/vmlinuz "$work/vmlinux" 2>"$work/err") &&
		trimmed=$(scripts/extract-vmlinux --trim build/linux/vmlinuz "$work/vmlinux.trim" 2>"$work/err") &&
		[ "$trimmed" = "$entry" ]; then
		note=$(readelf -nW "$work/vmlinux" | awk '$1 == "Xen" && /\(0x00000012\)/ { sub(/.*description data: /, ""); print }')
		want=$(python3 -c 'import sys; print(hex(int.from_bytes(bytes.fromhex(sys.argv[1]), "little")))' "${note// /}" 2>/dev/null)
		if [ -n "$want" ] && [ "$entry" = "$want" ] && readelf -h "$work/vmlinux" | grep -q 'Class:.*ELF64'; then
			ok "extract-debian-kernel (PVH entry $entry)"
		else
			bad extract-debian-kernel "entry '$entry', readelf's note '$note'"
		fi
	else
		bad extract-debian-kernel "$(cat "$work/err")"
	fi
	prev=""
	order_ok=1
	while read -r m; do
		deps=$(objcopy -O binary --only-section=.modinfo "build/linux/modules/$m.ko" /dev/stdout | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' ')
		for d in $deps; do
			grep -qw "$d" <<<"$prev" || { order_ok=0; bad module-load-order "$m needs $d before it"; }
		done
		prev+=" $m"
	done < build/linux/modules/load-order
	[ "$order_ok" = 1 ] && ok module-load-order
else
	skip=$((skip + 2))
	echo "skip extract-debian-kernel, module-load-order: no build/linux/vmlinuz (scripts/get-linux fetches it)"
fi
expect mkiso-native-linux-missing-kernel 2 "no such file: $work/none" \
	scripts/mkiso --native-linux "$work/x.iso" "$work/none" "$work/pvh.elf" "console=ttyS0"
expect mkinitrd-usage 1 "usage: mkinitrd" scripts/mkinitrd --bogus
expect linux-native-usage 126 "usage:" scripts/linux-native --platform vmware
expect linux-native-bochs-needs-bzimage 126 "needs a bzImage" \
	scripts/linux-native --platform bochs --kernel "$work/pvh.elf" --initrd "$work/pvh.elf"

# The workload on this machine: its phases chosen by a list, run in the
# table's order; the instructions and conditional branches of its loops
# against the counts it promises (callgrind, where valgrind is installed:
# loop_work 3n + 2 instructions, n conditional branches; cpuid_work
# n(2w + 6) + 4 and n(w + 1), w = 100; each adds its RET, a branch, to the
# branches the guest counts); and perf's control protocol around its
# windows, with software events named as init names the hardware ones.
wl=build/linux/workload
if [ -x "$wl" ]; then
	if [ "$("$wl" cpuid,loop 3 | cut -d ' ' -f 2-3 | tr '\n' ' ')" = "loop: 3 cpuid: 3 " ]; then
		ok workload-phase-list
	else
		bad workload-phase-list "$("$wl" cpuid,loop 3 2>&1)"
	fi
	expect workload-unknown-phase 2 "unknown workload 'bogus'" "$wl" loop,bogus
	expect workload-bad-perf-control 2 "is not CTL,ACK" env WORKLOAD_PERF_CONTROL=3 "$wl" loop
	if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
		valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file="$work/cg" "$wl" loop,cpuid 1000 \
			>/dev/null 2>&1
		got=$(callgrind_annotate --show=Ir,Bc "$work/cg" 2>/dev/null |
			awk '/:loop_work |:cpuid_work / { gsub(/,|\([^)]*\)/, ""); $0 = $0; sub(/.*:/, "", $3); printf "%s %s %s ", $3, $1, $2 }')
		case "$got" in
		*"loop_work 3002 1000 "*) ok workload-loop-counts ;;
		*) bad workload-loop-counts "callgrind: '$got', want loop_work 3002 1000" ;;
		esac
		case "$got" in
		*"cpuid_work 206004 101000 "*) ok workload-cpuid-counts ;;
		*) bad workload-cpuid-counts "callgrind: '$got', want cpuid_work 206004 101000" ;;
		esac
	else
		skip=$((skip + 2))
		echo "skip workload-loop-counts, workload-cpuid-counts: no valgrind"
	fi
	if command -v perf >/dev/null && perf stat -e task-clock -o /dev/null true 2>/dev/null; then
		mkfifo "$work/ctl" "$work/ack"
		ev() { echo "software/config=1,name=$1-instructions/u,software/config=1,name=$1-branches/u"; }
		WORKLOAD_PERF_CONTROL=3,4 timeout 60 perf stat -x , -o "$work/stat" -D -1 --control fd:3,4 \
			-e "{$(ev loop)}" -e "{$(ev cpuid)}" "$wl" loop,cpuid 100 \
			3<>"$work/ctl" 4<>"$work/ack" >"$work/out" 2>"$work/err"
		rc=$?
		if [ "$rc" = 0 ] && [ "$(grep -c ': expect instructions:u ' "$work/out")" = 2 ] &&
			[ "$(grep -cE '^[0-9.]+,[^,]*,(loop|cpuid)-(instructions|branches),' "$work/stat")" = 4 ]; then
			ok workload-perf-control
		else
			bad workload-perf-control "status $rc: $(cat "$work/out" "$work/err" "$work/stat" 2>/dev/null | tr '\n' ' ')"
		fi
	else
		skip=$((skip + 1))
		echo "skip workload-perf-control: perf cannot count here"
	fi
else
	skip=$((skip + 6))
	echo "skip workload-*: no build/linux/workload (make linux builds it)"
fi

# The guest natively on QEMU TCG, entered through the PVH note of the
# trimmed vmlinux extracted above: userspace, perf stat, power-off, no oops.
if [ -s build/linux/initrd.img ] && [ -s "$work/vmlinux.trim" ]; then
	if scripts/linux-native --platform qemu --kernel "$work/vmlinux.trim" --timeout 120 \
		--cmdline "pmuvisor.workload=syscall" >"$work/out" 2>&1; then
		ok linux-native-qemu-pvh
	else
		bad linux-native-qemu-pvh "$(grep -v '^\[' "$work/out" | tail -n 20)"
	fi
else
	skip=$((skip + 1))
	echo "skip linux-native-qemu-pvh: no build/linux/initrd.img (make linux builds it)"
fi
# The KVM peer's VMM takes only Intel KVM for the peer: where kvm_intel is
# not loaded (this machine's /dev/kvm, if any, is something else) it must
# refuse with status 2 and say why, never run the guest on another module.
if make -s build/linux/kvm-peer build/guests/exit-bench.elf >"$work/out" 2>&1; then
	if [ -e /sys/module/kvm_intel ]; then
		skip=$((skip + 1))
		echo "skip kvm-peer-refuses-without-kvm-intel: kvm_intel is loaded here"
	else
		timeout 20 build/linux/kvm-peer build/guests/exit-bench.elf >"$work/out" 2>&1
		rc=$?
		if [ "$rc" = 2 ] && grep -q "kvm_intel is not loaded" "$work/out"; then
			ok kvm-peer-refuses-without-kvm-intel
		else
			bad kvm-peer-refuses-without-kvm-intel "status $rc: $(cat "$work/out")"
		fi
	fi
	if [ ! -e /sys/module/kvm_intel ]; then
		timeout 60 scripts/kvm-peer --host --out "$work/peer" >"$work/out" 2>&1
		rc=$?
		if [ "$rc" = 2 ] && grep -q "needs Intel KVM" "$work/out" && [ ! -e "$work/peer" ]; then
			ok kvm-peer-host-refuses-without-kvm-intel
		else
			bad kvm-peer-host-refuses-without-kvm-intel "status $rc: $(cat "$work/out")"
		fi
	fi
	timeout 20 build/linux/kvm-peer >"$work/out" 2>&1
	rc=$?
	if [ "$rc" = 3 ] && grep -q "^usage: kvm-peer" "$work/out"; then
		ok kvm-peer-usage-status-3
	else
		bad kvm-peer-usage-status-3 "status $rc: $(cat "$work/out")"
	fi
else
	bad kvm-peer-builds "$(tail -n 20 "$work/out")"
fi
echo "linux-scripts: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
