/*
 * The guest's memory by guest-linear address, for emulated instructions
 * (hv/exit/guest_mem.c): translated through the guest's own paging, a
 * fault there becomes the guest's #PF and the call returns false. So does
 * memory that is not guest RAM, after asking for the end of the guest
 * (guest_stop_requested() tells the two apart): the caller stops there.
 */
#ifndef HV_EXIT_GUEST_MEM_H
#define HV_EXIT_GUEST_MEM_H

#include "lib/types.h"

#define GUEST_MEM_MAX 128 /* bytes per call: a 32-bit TSS is 104 */

/* `access`: PF_WRITE and PF_USER (arch/x86/paging_walk.h) as the access needs. */
bool guest_linear_probe(u64 linear, u32 len, u32 access);
bool guest_linear_read(u64 linear, void *buf, u32 len, u32 access);
bool guest_linear_write(u64 linear, const void *buf, u32 len, u32 access);

#endif
