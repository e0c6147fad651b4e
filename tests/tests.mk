# Host unit tests: the real lib/, hv/ and arch/x86/ sources compiled with
# -DHOST_MODEL against the hardware model in tests/model (which replaces
# the inline-assembly accessors and arch/x86/stop.c). `make unit-test`
# runs them all; `make unit-test UNIT_ARGS=frame` only those whose name
# contains "frame".

UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -DHOST_MODEL -I. -fsanitize=address,undefined -fno-sanitize-recover=all
# The exit handlers carry exception-table entries (arch/x86/extable.h): link position-dependent.
UNIT_LDFLAGS := -no-pie
UNIT_SRCS := $(wildcard tests/unit/*.c) $(wildcard tests/model/*.c)
UNIT_HV_SRCS := lib/string.c lib/printf.c lib/sort.c hv/boot/multiboot2.c arch/x86/frame.c \
	arch/x86/serial.c hv/console.c arch/x86/platform.c hv/guest/memory.c hv/guest/loader.c \
	hv/boot/acpi.c hv/guest/boot_info.c hv/guest/boot_area.c hv/guest/boot_linux.c hv/guest/bzimage.c \
	arch/x86/vmx.c arch/x86/vmx_bitmap.c \
	$(wildcard hv/pmu/*.c) arch/x86/vmx_msr_list.c \
	arch/x86/cr.c arch/x86/paging.c arch/x86/paging_walk.c \
	$(wildcard hv/exit/*.c) hv/cpu/vcpu.c hv/cpu/cpuid_controls.c hv/cpu/probe.c hv/cpu/global_ctrl_check.c hv/cpu/vmx_enable.c arch/x86/ept.c \
	hv/cpu/ap.c arch/x86/desc_build.c \
	$(wildcard hv/base/*.c) $(wildcard hv/run/*.c)
UNIT_BIN := $(BUILD)/unit-tests
UNIT_ARGS ?=

$(UNIT_BIN): $(UNIT_SRCS) $(UNIT_HV_SRCS) $(wildcard tests/*/*.h) $(HV_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $(UNIT_LDFLAGS) -o $@ $(UNIT_SRCS) $(UNIT_HV_SRCS)

unit-test: $(UNIT_BIN)
	$(UNIT_BIN) $(UNIT_ARGS)

# The PMU strategies, from the same C table the hypervisor is built with,
# for the scripts (scripts/benchlib/strategies.py).
PMU_STRATEGIES := $(BUILD)/pmu-strategies.tsv

# A temporary file of this make's own: two scripts may ask for the list at once.
$(PMU_STRATEGIES): $(UNIT_BIN)
	$(UNIT_BIN) --pmu-strategies > $@.tmp.$$$$ && mv $@.tmp.$$$$ $@

.PHONY: pmu-strategies
pmu-strategies: $(PMU_STRATEGIES)

# Likewise the stats= levels (hv/exit/stats.h) and the exit statuses
# (hv/base/status.h); `make script-tables` brings all three up to date.
STATS_LEVELS := $(BUILD)/stats-levels.tsv
STATUSES := $(BUILD)/statuses.tsv

$(STATS_LEVELS): $(UNIT_BIN)
	$(UNIT_BIN) --stats-levels > $@.tmp.$$$$ && mv $@.tmp.$$$$ $@

$(STATUSES): $(UNIT_BIN)
	$(UNIT_BIN) --statuses > $@.tmp.$$$$ && mv $@.tmp.$$$$ $@

.PHONY: script-tables
script-tables: $(PMU_STRATEGIES) $(STATS_LEVELS) $(STATUSES)
