# The Linux guest: Debian's stock kernel (fetched by scripts/get-linux into
# build/linux, never committed), its uncompressed vmlinux for the PVH entry
# (trimmed: see scripts/extract-vmlinux),
# and an initramfs with our init, the workload and Debian's perf.
# `make linux` builds build/linux/{vmlinuz,vmlinux,initrd.img}.

LINUX_DIR := $(BUILD)/linux
# The kernel command line on the emulators (why each option: the file).
LINUX_CMDLINE := $(shell sed -e '/^\#/d' -e '/^$$/d' guests/linux/cmdline)
LINUX_CFLAGS := -std=gnu11 -O2 $(WARN) -static

.PHONY: linux
linux: deps $(LINUX_DIR)/vmlinux $(LINUX_DIR)/initrd.img

# get-linux does nothing once the kernel is there; delete build/linux to
# fetch the archive's current one.
$(LINUX_DIR)/release:
	$(call say,FETCH,$(LINUX_DIR))
	$(Q)scripts/get-linux

$(LINUX_DIR)/vmlinuz: | $(LINUX_DIR)/release

$(LINUX_DIR)/vmlinux: $(LINUX_DIR)/vmlinuz scripts/extract-vmlinux
	$(call say,EXTRACT,$@)
	$(Q)scripts/extract-vmlinux --trim $< $@ >/dev/null

$(LINUX_DIR)/workload $(LINUX_DIR)/console-drain: $(LINUX_DIR)/%: guests/linux/%.c
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(LINUX_CFLAGS) -o $@ $<

# The KVM peer benchmark's VMM (scripts/kvm-peer runs it inside Debian's kernel).
$(LINUX_DIR)/kvm-peer: guests/linux/kvm-peer.c
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(LINUX_CFLAGS) -o $@ $<

$(LINUX_DIR)/initrd.img: $(LINUX_DIR)/workload $(LINUX_DIR)/console-drain guests/linux/init scripts/mkinitrd $(LINUX_DIR)/release
	$(call say,INITRD,$@)
	$(Q)scripts/mkinitrd $@
