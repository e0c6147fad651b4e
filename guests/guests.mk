# Guests: separate 32-bit multiboot1 kernels, each guests/NAME/*.c linked with
# the tiny runtime in guests/lib, giving build/guests/NAME.elf.

GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -m32 -march=i686 -ffreestanding -nostdlib \
	-fno-builtin -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -Iguests/lib
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

GUEST_NAMES := $(notdir $(patsubst %/,%,$(filter-out guests/lib/,$(wildcard guests/*/))))
GUEST_LIB_SRCS := $(wildcard guests/lib/*.c guests/lib/*.S)
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(GUEST_LIB_SRCS)))
GUEST_ELFS := $(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_NAMES))

guests: $(GUEST_ELFS)

$(BUILD)/guests/%.o: guests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/%.o: guests/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

.SECONDEXPANSION:
$(BUILD)/guests/%.elf: $$(patsubst %,$(BUILD)/%.o,$$(basename $$(wildcard guests/%/*.c guests/%/*.S))) $(GUEST_LIB_OBJS) guests/lib/guest.ld
	$(LD) $(GUEST_LDFLAGS) -T guests/lib/guest.ld -o $@ $(filter %.o,$^)

-include $(GUEST_LIB_OBJS:.o=.d)
