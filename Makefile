# pmuvisor: `make` builds the hypervisor and the guests, `make run` boots them,
# `make test` runs the host unit tests and the emulator boot tests, `make
# bochs` builds the counting Bochs they boot (once; scripts/get-bochs).

CROSS ?=
CC := $(CROSS)gcc
LD := $(CROSS)ld
OBJDUMP := $(CROSS)objdump
HOSTCC ?= gcc

BUILD := build
PLATFORM ?=
BOCHS ?=
HV_ARGS ?=
GUEST ?= hello
GUEST_ARGS ?=

WARN := -Wall -Wextra -Werror
# Where the image is linked; GRUB loads it elsewhere and it relocates itself
# (linker.ld, boot/relocate.S).
HV_LINK_ADDR := 0xc00000
# One include root for every part: #include "arch/x86/msr.h", "hv/pmu/pmu.h".
HV_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -ffreestanding -nostdlib -fno-builtin \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -fpie -fvisibility=hidden \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-common \
	-fno-omit-frame-pointer -m64
HV_ASFLAGS := -m64 -fpie -D__ASSEMBLY__ -DHV_LINK_ADDR=$(HV_LINK_ADDR) -I. -I$(BUILD)/include
HV_LDFLAGS := -nostdlib -pie --no-dynamic-linker -z notext -z norelro -z max-page-size=0x1000 \
	-z noexecstack --no-warn-rwx-segments --defsym=HV_LINK_ADDR=$(HV_LINK_ADDR)

HV_DIRS := lib arch/x86 hv hv/base hv/boot hv/cpu hv/exit hv/guest hv/pmu hv/run
HV_C_SRCS := $(filter-out arch/x86/asm-offsets.c,$(wildcard $(HV_DIRS:%=%/*.c)))
HV_HDRS := $(wildcard $(HV_DIRS:%=%/*.h))
HV_S_SRCS := $(wildcard boot/*.S arch/x86/*.S)
HV_OBJS := $(patsubst %.c,$(BUILD)/hv/%.o,$(HV_C_SRCS)) \
	$(patsubst %.S,$(BUILD)/hv/%.o,$(HV_S_SRCS))

.PHONY: all run test lint typecheck peer test-linux test-fuzz unit-test boot-test deps bochs run-bochs format format-check clean guests iso
all: $(BUILD)/pmuvisor.elf $(BUILD)/pmuvisor.lst guests

# V=1 shows the full commands.
Q := $(if $(V),,@)
say = $(if $(V),,@echo "  $(1)	$(2)")

# The flags every object is built with: an object built with other flags
# (say, before the image became position-independent) is built again.
HV_FLAGS_STAMP := $(BUILD)/hv/flags
$(HV_FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(HV_CFLAGS) | $(HV_ASFLAGS)' | cmp -s - $@ || echo '$(HV_CFLAGS) | $(HV_ASFLAGS)' > $@

$(BUILD)/hv/%.o: %.c $(HV_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

# Offsets of C structures for assembly: arch/x86/asm-offsets.c compiled to
# assembly, each "->NAME value" marker in it made a #define.
ASM_OFFSETS := $(BUILD)/include/generated/asm-offsets.h

$(BUILD)/include/generated/asm-offsets.s: arch/x86/asm-offsets.c $(HV_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HV_CFLAGS) -MMD -MP -MT $@ -S $< -o $@

$(ASM_OFFSETS): $(BUILD)/include/generated/asm-offsets.s
	$(call say,GEN,$@)
	$(Q){ echo "/* Generated from arch/x86/asm-offsets.c: do not edit. */"; \
	  echo "#ifndef GENERATED_ASM_OFFSETS_H"; echo "#define GENERATED_ASM_OFFSETS_H"; \
	  sed -n 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Z0-9_]*\) \([0-9]*\)"$$/#define \1 \2/p' $<; \
	  echo "#endif"; } > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/hv/%.o: %.S $(ASM_OFFSETS) $(HV_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

# Linked to a temporary name: only an image boot/relocs.py accepted (and
# made loadable by GRUB) becomes pmuvisor.elf.
$(BUILD)/pmuvisor.elf: $(HV_OBJS) linker.ld boot/relocs.py
	$(call say,LD,$@)
	$(Q)$(LD) $(HV_LDFLAGS) -T linker.ld -o $@.tmp $(HV_OBJS)
	$(Q)boot/relocs.py $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/pmuvisor.lst: $(BUILD)/pmuvisor.elf
	$(Q)$(OBJDUMP) -d $< > $@

-include $(HV_OBJS:.o=.d) $(BUILD)/include/generated/asm-offsets.d
include guests/guests.mk
include guests/linux/linux.mk
include tests/tests.mk

# GUEST=linux: Debian's kernel (`make linux`) entered through its PVH note,
# the initramfs as its module, GUEST_ARGS added to its command line; two
# processors, as the boot test has them, time for the emulated boot, and
# Bochs' lenient MSRs (the kernel reads IA32_MISC_ENABLE, which Bochs lacks,
# before it has an IDT), and 512 MiB: with runs= the hypervisor keeps
# pristine copies of kernel and initramfs, and 256 MiB left too little RAM
# to unpack the initramfs.
ifeq ($(GUEST),linux)
GUEST_MODULES = $(LINUX_DIR)/vmlinux "$(LINUX_CMDLINE) $(GUEST_ARGS)" $(LINUX_DIR)/initrd.img initrd
GUEST_DEPS = linux
RUN_ARGS = --cpus 2 --timeout 900 --lenient-msrs --memory 512
else
GUEST_MODULES = $(if $(GUEST),$(BUILD)/guests/$(GUEST).elf "$(GUEST_ARGS)")
endif

# The ISO `make run` boots: the hypervisor with HV_ARGS and GUEST as its module.
$(BUILD)/pmuvisor.iso: $(BUILD)/pmuvisor.elf guests scripts/mkiso $(GUEST_DEPS) FORCE
	$(call say,ISO,$@)
	$(Q)scripts/mkiso $@ "$(HV_ARGS)" $(GUEST_MODULES)
iso: $(BUILD)/pmuvisor.iso
FORCE:

deps:
	scripts/deps

# Bochs 3.0 with the counting PMU (scripts/get-bochs): the first call builds
# it (minutes, announced), later ones find it in the cache. The targets that
# boot it ask for it first, so the build never runs inside a test's timeout.
bochs:
	scripts/get-bochs

# `make run` on Bochs (PLATFORM=bochs, or no usable KVM) with the counting
# Bochs (BOCHS, else $PMUVISOR_BOCHS, else pmu): get it before anything else.
run-bochs:
	$(Q)if { [ "$(PLATFORM)" = bochs ] || { [ -z "$(PLATFORM)" ] && \
		! { [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo; }; }; } && \
		[ "$(or $(BOCHS),$${PMUVISOR_BOCHS:-pmu})" = pmu ]; then scripts/get-bochs >/dev/null; fi

# The terminal shows the console without its results blocks, which stay in
# build/results/run-*.log (named at the end); V=1 shows them too.
run: deps run-bochs $(BUILD)/pmuvisor.iso
	$(Q)scripts/run $(if $(PLATFORM),--platform $(PLATFORM)) $(if $(BOCHS),--bochs $(BOCHS)) $(if $(V),--verbose) $(RUN_ARGS) --iso $(BUILD)/pmuvisor.iso

test: deps bochs all linux
	scripts/test-all

# The KVM peer benchmark (docs/bench.md): Debian's 6.1 and 7.2 kernels
# natively on the counting Bochs, each KVM configuration running exit-bench
# and pmu-count, beside pmuvisor's strategies (the matrix of scripts/bench,
# run first where build/bench has none) in $(BUILD)/peer-page/results.md.
# Reruns reuse the boots' serial logs while nothing they ran changed.
peer: deps bochs all
	scripts/kvm-peer --kernel 6.1 --configs novpmu,legacy --out $(BUILD)/peer-6.1
	scripts/kvm-peer --kernel 7.2 --configs novpmu,legacy,mediated --out $(BUILD)/peer-7.2
	[ -s $(BUILD)/bench/results.csv ] || scripts/bench --platform bochs --pmu-read rdmsr \
		--stats off,counts,full --reps 1 --iters 1000
	scripts/results-page $(BUILD)/bench --peer $(BUILD)/peer-6.1 --peer $(BUILD)/peer-7.2 \
		--docs $(BUILD)/peer-page

# The static checks alone: include layers, ShellCheck and mypy (tests/lint/run.sh).
lint:
	tests/lint/run.sh

# The benchmark scripts and their library under mypy --strict (Debian's mypy
# 1.0). The scripts have no .py suffix: --scripts-are-modules takes them as
# modules, and MYPYPATH lets them import benchlib as they do at run time.
typecheck:
	@command -v mypy >/dev/null || \
		{ echo "typecheck: mypy not installed: install it with: apt-get install mypy" >&2; exit 1; }
	MYPYPATH=scripts mypy --strict --scripts-are-modules --cache-dir $(BUILD)/mypy-cache \
		scripts/benchlib scripts/bench scripts/results-page scripts/guest-counts

# The Linux guest with every strategy through PVH, and through the bzImage boot protocol.
test-linux: deps bochs all linux
	tests/boot/linux_guest.sh --all

# The fuzz guest against native runs: 20 seeds x 4000 operations x every strategy.
test-fuzz: deps all
	tests/fuzz/run.sh --long

format:
	clang-format -i $(HV_C_SRCS) arch/x86/asm-offsets.c $(HV_HDRS) $(wildcard guests/*/*.[ch] tests/*/*.[ch])

format-check:
	clang-format --dry-run -Werror $(HV_C_SRCS) arch/x86/asm-offsets.c $(HV_HDRS) $(wildcard guests/*/*.[ch] tests/*/*.[ch])

clean:
	rm -rf $(BUILD)
