/*
 * The small area of guest memory where the hypervisor writes what a boot
 * loader would leave for the guest (hv/guest/boot_info.c): a bump
 * allocator whose allocations are zero-filled and which remembers that
 * something did not fit.
 */
#ifndef HV_GUEST_BOOT_AREA_H
#define HV_GUEST_BOOT_AREA_H

#include "hv/guest/boot_info.h"

struct boot_area {
	u64 next, end;
	bool overflow;
};

/* Guest-physical address of size zeroed bytes aligned to align; 0 (and overflow) if full. */
u64 area_alloc(struct boot_area *a, u64 size, u64 align);
/* A copy of s; its address, 0 if full. */
u32 area_string(struct boot_area *a, const char *s);
/* A flat GDT with 32-bit code at cs and data at ds (each 8..0x18). */
void area_gdt(struct boot_area *a, u16 cs, u16 ds, struct guest_boot *out);
/* A copy of the RSDP, 16-byte aligned as ACPI requires; 0 if there is none. */
u64 area_rsdp(struct boot_area *a, const struct guest_view *view);

/* The renderers for the Linux protocols (hv/guest/boot_linux.c); each returns its structure. */
u64 build_pvh_start_info(struct boot_area *a, const struct guest_view *view);
u64 build_zero_page(struct boot_area *a, const struct guest_view *view,
		    const struct guest_image *image, char *err, size_t errlen);

#endif
