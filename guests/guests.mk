# Guests: separate 32-bit multiboot1 kernels, each guests/NAME/*.c and *.S
# linked with the tiny runtime in guests/lib, giving build/guests/NAME.elf.
# The runtime also takes the hypervisor's printf and string routines from
# lib/, compiled again for 32 bits. Includes are written from the top of the
# tree (-I.), as in the hypervisor: "guests/lib/guest.h", "hv/base/hypercall.h".

GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -m32 -march=i686 -ffreestanding -nostdlib \
	-fno-builtin -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -I.
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# guests/linux is not a multiboot image: guests/linux/linux.mk builds it.
GUEST_NAMES := $(notdir $(patsubst %/,%,$(filter-out guests/lib/ guests/linux/,$(wildcard guests/*/))))
GUEST_SHARED_SRCS := lib/printf.c lib/string.c lib/sort.c
GUEST_LIB_SRCS := $(wildcard guests/lib/*.c guests/lib/*.S)
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(GUEST_LIB_SRCS))) \
	$(patsubst lib/%.c,$(BUILD)/guests/shared/%.o,$(GUEST_SHARED_SRCS))
GUEST_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(wildcard $(GUEST_NAMES:%=guests/%/*.c) $(GUEST_NAMES:%=guests/%/*.S))))
GUEST_ELFS := $(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_NAMES))

# Named only as prerequisites of a pattern rule, the objects would count as
# intermediate and be deleted after every link, forcing a full rebuild.
.SECONDARY: $(GUEST_OBJS) $(GUEST_LIB_OBJS)

guests: $(GUEST_ELFS)

$(BUILD)/guests/shared/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(call say,CC32,$<)
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/%.o: guests/%.c
	@mkdir -p $(dir $@)
	$(call say,CC32,$<)
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/%.o: guests/%.S
	@mkdir -p $(dir $@)
	$(call say,AS32,$<)
	$(Q)$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

# The second expansion finds each guest's own sources; % would be replaced by
# the stem before it, so the stem is spelled $$* and no % appears inside.
.SECONDEXPANSION:
$(BUILD)/guests/%.elf: $$(addprefix $(BUILD)/,$$(addsuffix .o,$$(basename $$(wildcard guests/$$*/*.c guests/$$*/*.S)))) $(GUEST_LIB_OBJS) guests/lib/guest.ld
	$(call say,LD,$@)
	$(Q)$(LD) $(GUEST_LDFLAGS) -T guests/lib/guest.ld -o $@ $(filter %.o,$^)

-include $(wildcard $(BUILD)/guests/*/*.d)
