/*
 * wide: a multiboot guest that reaches tens of MiB, as kvm-unit-tests'
 * x86 tests do (their .bss ends near 16 MiB): linked at 2 MiB, its .bss
 * runs to 40 MiB. The hypervisor must load it whole, zero its .bss, and
 * keep its own memory out of the guest's RAM: the memory map shows one
 * available range from 1 MiB up to at least min-top=N MiB, the
 * hypervisor's memory above it rather than inside it.
 */
#include "guests/lib/guest.h"
#include "guests/lib/multiboot1.h"
#include "lib/string.h"

#define MiB 0x100000ULL
#define GiB (1024 * MiB)
#define FAR_END (40 * MiB)
#define PAGE 4096

const char guest_name[] = "wide";

/* Page aligned and as large as it must be for the .bss to end at 40 MiB or beyond. */
static u8 far[FAR_END - 2 * MiB] __attribute__((aligned(PAGE)));

/* N from "min-top=N" on the command line, 0 if absent. */
static u64 min_top_mib(const char *s)
{
	static const char key[] = "min-top=";
	u64 v = 0;

	for (size_t n; (n = guest_cmdline_word(&s)); s += n) {
		if (n <= sizeof(key) - 1 || strncmp(s, key, sizeof(key) - 1))
			continue;
		for (size_t i = sizeof(key) - 1; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			v = v * 10 + (u64)(s[i] - '0');
	}
	return v;
}

static void check_far_pages(void)
{
	volatile u32 *w;
	bool zero = true, kept = true;
	u64 end = (u64)(uintptr_t)(far + sizeof(far));

	CHECK(end >= FAR_END, ".bss ends at 0x%llx, at or above 40 MiB", (unsigned long long)end);
	for (u64 off = 0; off < sizeof(far); off += PAGE) {
		w = (volatile u32 *)(far + off);
		zero &= *w == 0 && w[PAGE / 4 - 1] == 0;
		*w = (u32)off ^ 0x5a5a5a5a;
	}
	CHECK(zero, "every page of .bss 0x%llx-0x%llx reads zero",
	      (unsigned long long)(uintptr_t)far, (unsigned long long)end);
	for (u64 off = 0; off < sizeof(far); off += PAGE)
		kept &= *(volatile u32 *)(far + off) == ((u32)off ^ 0x5a5a5a5a);
	CHECK(kept, "a word written to each page of .bss reads back, the last at 0x%llx",
	      (unsigned long long)end - PAGE);
}

static void check_memory_map(u64 min_top)
{
	const struct guest_mem_range *map;
	int n = guest_memory_map(&map), ram = 0;
	u64 top = 0;

	CHECK(n > 0, "the loader gave a memory map (%d entries)", n);
	for (int i = 0; i < n; i++) {
		guest_printf("wide: map %016llx-%016llx type %u\n", (unsigned long long)map[i].base,
			     (unsigned long long)(map[i].base + map[i].len - 1), map[i].type);
		if (map[i].type != MB1_MEMORY_AVAILABLE || map[i].base < MiB ||
		    map[i].base >= 4 * GiB)
			continue;
		ram++;
		if (map[i].base == MiB)
			top = map[i].base + map[i].len;
	}
	CHECK(ram == 1, "one available range between 1 MiB and 4 GiB (%d)", ram);
	CHECK(top >= min_top * MiB, "RAM from 1 MiB reaches 0x%llx, at or above %llu MiB",
	      (unsigned long long)top, (unsigned long long)min_top);
}

int guest_main(const char *cmdline)
{
	check_far_pages();
	check_memory_map(min_top_mib(cmdline));
	guest_finish();
}
