#include "arch/x86/vmx_bitmap.h"

#define MSR_LOW_END 0x2000U
#define MSR_HIGH_BASE 0xc0000000U
#define MSR_BITMAP_WRITE_OFFSET 2048
#define MSR_BITMAP_HIGH_OFFSET 1024

/* Byte offset of the read-bitmap bit for msr, or -1 for MSRs outside both ranges (always exit). */
static int msr_read_byte(u32 msr)
{
	if (msr < MSR_LOW_END)
		return (int)(msr / 8);
	if (msr - MSR_HIGH_BASE < MSR_LOW_END)
		return MSR_BITMAP_HIGH_OFFSET + (int)((msr - MSR_HIGH_BASE) / 8);
	return -1;
}

static void msr_bitmap_set(u8 *bitmap, u32 msr, enum msr_access access, bool set)
{
	int byte = msr_read_byte(msr);
	u8 bit = (u8)(1u << (msr % 8));

	if (byte < 0)
		return;
	for (int w = 0; w < 2; w++) {
		u8 *b = &bitmap[byte + w * MSR_BITMAP_WRITE_OFFSET];
		if (!(access & (w ? MSR_INTERCEPT_WRITE : MSR_INTERCEPT_READ)))
			continue;
		*b = set ? (u8)(*b | bit) : (u8)(*b & ~bit);
	}
}

bool msr_bitmap_covers(u32 msr)
{
	return msr_read_byte(msr) >= 0;
}

void msr_bitmap_intercept(u8 *bitmap, u32 msr, enum msr_access access)
{
	msr_bitmap_set(bitmap, msr, access, true);
}

void msr_bitmap_pass(u8 *bitmap, u32 msr, enum msr_access access)
{
	msr_bitmap_set(bitmap, msr, access, false);
}

bool msr_bitmap_intercepts(const u8 *bitmap, u32 msr, enum msr_access access)
{
	int byte = msr_read_byte(msr);
	int off = access == MSR_INTERCEPT_WRITE ? MSR_BITMAP_WRITE_OFFSET : 0;

	return byte < 0 || (bitmap[byte + off] >> (msr % 8)) & 1;
}

void io_bitmap_intercept(u8 *bitmap_a, u8 *bitmap_b, u16 port, u16 count)
{
	for (u32 p = port; p < (u32)port + count && p <= 0xffff; p++) {
		u8 *bm = p < 0x8000 ? bitmap_a : bitmap_b;
		u32 bit = p & 0x7fff;
		bm[bit / 8] |= (u8)(1u << (bit % 8));
	}
}
