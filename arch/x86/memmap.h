/*
 * The physical memory map as the firmware reports it: address ranges and
 * their types. The type values are the ACPI address range types (ACPI
 * Specification, "System Address Map Interfaces"), which E820 and the
 * multiboot2 memory map pass on unchanged.
 */
#ifndef ARCH_X86_MEMMAP_H
#define ARCH_X86_MEMMAP_H

#include "lib/types.h"

#define ADDRESS_RANGE_MEMORY 1 /* available RAM */
#define ADDRESS_RANGE_RESERVED 2
#define ADDRESS_RANGE_ACPI 3 /* ACPI tables, reclaimable */
#define ADDRESS_RANGE_NVS 4
#define ADDRESS_RANGE_UNUSABLE 5 /* defective RAM */

struct mem_region {
	u64 base, len;
	u32 type; /* ADDRESS_RANGE_*, the same values as MB2_MEMORY_* */
};

#endif
