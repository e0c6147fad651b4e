/*
 * The MSR bitmap and the I/O bitmaps: a set bit makes the access exit.
 * Intel SDM Vol. 3C, "MSR-Bitmap Address" and "I/O-Bitmap Addresses".
 */
#ifndef ARCH_X86_VMX_BITMAP_H
#define ARCH_X86_VMX_BITMAP_H

#include "lib/types.h"

enum msr_access { MSR_INTERCEPT_READ = 1, MSR_INTERCEPT_WRITE = 2, MSR_INTERCEPT_RW = 3 };

/* One 4 KiB page: reads of low MSRs, reads of high MSRs, then writes likewise. */
void msr_bitmap_intercept(u8 *bitmap, u32 msr, enum msr_access access);
void msr_bitmap_pass(u8 *bitmap, u32 msr, enum msr_access access);
bool msr_bitmap_intercepts(const u8 *bitmap, u32 msr, enum msr_access access);
/* False for MSRs outside both ranges (0-0x1fff, 0xc0000000-0xc0001fff): those always exit. */
bool msr_bitmap_covers(u32 msr);

/* Bitmap A covers ports 0-0x7fff, bitmap B 0x8000-0xffff; an access exits if any byte's bit is set. */
void io_bitmap_intercept(u8 *bitmap_a, u8 *bitmap_b, u16 port, u16 count);

#endif
