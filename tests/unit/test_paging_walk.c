/* arch/x86/paging_walk.c: translating guest-linear addresses through the guest's tables. */
#include <string.h>

#include "tests/unit/unit.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging_walk.h"

#define MEM_SIZE 0x10000 /* the tables live in the first 64 KiB */
#define P 1ULL
#define RW 2ULL
#define US 4ULL
#define PS 0x80ULL

static u8 mem[MEM_SIZE];

static bool read_mem(u64 pa, unsigned size, u64 *value)
{
	if (pa + size > MEM_SIZE)
		return false;
	*value = 0;
	memcpy(value, mem + pa, size);
	return true;
}

static void put64(u64 pa, u64 v)
{
	memcpy(mem + pa, &v, 8);
}

static void put32(u64 pa, u32 v)
{
	memcpy(mem + pa, &v, 4);
}

static enum walk_result walk(const struct paging_regs *r, u64 linear, u32 access, u64 *pa,
			     u32 *error)
{
	return paging_walk(r, linear, access, read_mem, pa, error);
}

TEST(paging_walk_without_paging_is_identity_truncated_to_32_bits)
{
	struct paging_regs r = { .cr0 = X86_CR0_PE };
	u64 pa = 0;
	u32 error = 0;

	CHECK_EQ_U64(walk(&r, 0x123456789ULL, 0, &pa, &error), WALK_OK);
	CHECK_EQ_U64(pa, 0x23456789);
}

TEST(paging_walk_32bit_4k_and_4m_pages)
{
	struct paging_regs r = { .cr0 = X86_CR0_PE | X86_CR0_PG, .cr3 = 0x1000 };
	u64 pa = 0;
	u32 error = 0;

	memset(mem, 0, sizeof(mem));
	put32(0x1000 + 1 * 4, 0x2000 | P | RW | US); /* PDE for 0x00400000 */
	put32(0x2000 + 3 * 4, 0xabc000 | P | RW | US);
	CHECK_EQ_U64(walk(&r, 0x00403123, PF_WRITE | PF_USER, &pa, &error), WALK_OK);
	CHECK_EQ_U64(pa, 0xabc123);
	put32(0x1000 + 2 * 4, 0x01c00000 | PS | P | RW);
	r.cr4 = X86_CR4_PSE;
	CHECK_EQ_U64(walk(&r, 0x00812345, PF_WRITE, &pa, &error), WALK_OK);
	CHECK_EQ_U64(pa, 0x01c12345);
}

TEST(paging_walk_reports_not_present_and_protection_faults)
{
	struct paging_regs r = { .cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP, .cr3 = 0x1000 };
	u64 pa = 0;
	u32 error = 0;

	memset(mem, 0, sizeof(mem));
	CHECK_EQ_U64(walk(&r, 0x1000, PF_WRITE, &pa, &error), WALK_PAGE_FAULT);
	CHECK_EQ_U64(error, PF_WRITE);
	put32(0x1000, 0x2000 | P | US); /* read-only */
	put32(0x2000 + 4, 0x5000 | P | RW);
	CHECK_EQ_U64(walk(&r, 0x1000, PF_WRITE, &pa, &error), WALK_PAGE_FAULT);
	CHECK_EQ_U64(error, PF_PRESENT | PF_WRITE);
	CHECK_EQ_U64(walk(&r, 0x1000, PF_USER, &pa, &error), WALK_PAGE_FAULT);
	CHECK_EQ_U64(error, PF_PRESENT | PF_USER); /* the PTE is supervisor-only */
	r.cr0 &= ~(u64)X86_CR0_WP;		   /* supervisor writes ignore R/W */
	CHECK_EQ_U64(walk(&r, 0x1000, PF_WRITE, &pa, &error), WALK_OK);
	CHECK_EQ_U64(pa, 0x5000);
}

TEST(paging_walk_pae_and_4_level)
{
	struct paging_regs pae = { .cr0 = X86_CR0_PE | X86_CR0_PG,
				   .cr3 = 0x1000,
				   .cr4 = X86_CR4_PAE };
	struct paging_regs lm = { .cr0 = X86_CR0_PE | X86_CR0_PG,
				  .cr3 = 0x3000,
				  .cr4 = X86_CR4_PAE,
				  .efer = EFER_LME | EFER_LMA };
	u64 pa = 0;
	u32 error = 0;

	memset(mem, 0, sizeof(mem));
	/* PAE: linear 0x40000000 is PDPTE 1, PDE 0: a 2-MiB page above 4 GiB. */
	put64(0x1000 + 8, 0x2000 | P);
	put64(0x2000, 0x100000000ULL | PS | P | RW);
	CHECK_EQ_U64(walk(&pae, 0x40012345, 0, &pa, &error), WALK_OK);
	CHECK_EQ_U64(pa, 0x100012345ULL);
	/* 4-level: a 1-GiB page and a 4-KiB page. */
	put64(0x3000, 0x4000 | P | RW);
	put64(0x4000 + 8, 0x80000000ULL | PS | P | RW);
	CHECK_EQ_U64(walk(&lm, 0x40000010, PF_WRITE, &pa, &error), WALK_OK);
	CHECK_EQ_U64(pa, 0x80000010ULL);
	put64(0x4000, 0x5000 | P | RW);
	put64(0x5000, 0x6000 | P | RW);
	put64(0x6000 + 2 * 8, 0x777000 | P | RW);
	CHECK_EQ_U64(walk(&lm, 0x2abc, 0, &pa, &error), WALK_OK);
	CHECK_EQ_U64(pa, 0x777abc);
	/* A table outside memory is reported, not read. */
	put64(0x6000 + 3 * 8, 0);
	put64(0x3000 + 8 * 511, 0x7fff0000ULL | P | RW);
	CHECK_EQ_U64(walk(&lm, 0xff8000000000ULL, 0, &pa, &error), WALK_BAD_TABLE);
}
