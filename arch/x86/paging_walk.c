/* A software page walk of the guest's tables; see paging_walk.h. */
#include "arch/x86/paging_walk.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"

#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_PS BIT(7)
#define ADDR_MASK_64 0x000ffffffffff000ULL
#define PAE_CR3_MASK 0xffffffe0ULL

struct walk {
	const struct paging_regs *r;
	u32 access, rights; /* rights: PTE_RW | PTE_US, cleared by any level that denies them */
	phys_read_fn read;
};

static enum walk_result check_rights(const struct walk *w, u32 *error)
{
	bool user = w->access & PF_USER, write = w->access & PF_WRITE;

	if ((user && !(w->rights & PTE_US)) ||
	    (write && !(w->rights & PTE_RW) && (user || (w->r->cr0 & X86_CR0_WP)))) {
		*error = PF_PRESENT | w->access;
		return WALK_PAGE_FAULT;
	}
	return WALK_OK;
}

/*
 * One table level: read the entry for `linear` (index bits from `shift`,
 * `bits` wide), fold its rights in; returns the entry, or 0 with *res set.
 */
static u64 step(struct walk *w, u64 table, u64 linear, unsigned shift, unsigned bits,
		unsigned entry_size, enum walk_result *res, u32 *error)
{
	u64 index = (linear >> shift) & ((1ULL << bits) - 1), e;

	if (!w->read(table + index * entry_size, entry_size, &e)) {
		*res = WALK_BAD_TABLE;
		return 0;
	}
	if (!(e & PTE_P)) {
		*error = w->access;
		*res = WALK_PAGE_FAULT;
		return 0;
	}
	w->rights &= (u32)e & (PTE_RW | PTE_US);
	*res = WALK_OK;
	return e;
}

static enum walk_result walk_32bit(struct walk *w, u64 linear, u64 *pa, u32 *error)
{
	enum walk_result res;
	u64 pde = step(w, w->r->cr3 & 0xfffff000ULL, linear, 22, 10, 4, &res, error), pte;

	if (res != WALK_OK)
		return res;
	if ((pde & PTE_PS) && (w->r->cr4 & X86_CR4_PSE)) {
		/* 4-MByte page; PSE-36 puts address bits 39:32 in 20:13. */
		*pa = (pde & 0xffc00000ULL) | (((pde >> 13) & 0xff) << 32) | (linear & 0x3fffff);
		return check_rights(w, error);
	}
	pte = step(w, pde & 0xfffff000ULL, linear, 12, 10, 4, &res, error);
	if (res != WALK_OK)
		return res;
	*pa = (pte & 0xfffff000ULL) | (linear & 0xfff);
	return check_rights(w, error);
}

/* PAE (levels 3: PDPT, PD, PT) and 4-level paging (4: PML4 first). */
static enum walk_result walk_64bit(struct walk *w, u64 linear, int levels, u64 *pa, u32 *error)
{
	u64 table = levels == 3 ? w->r->cr3 & PAE_CR3_MASK : w->r->cr3 & ADDR_MASK_64;
	enum walk_result res;

	for (int level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		bool pdpt_of_pae = levels == 3 && level == 3;
		u64 e = step(w, table, linear, shift, pdpt_of_pae ? 2 : 9, 8, &res, error);

		if (res != WALK_OK)
			return res;
		if (pdpt_of_pae)
			w->rights = PTE_RW | PTE_US; /* PAE PDPTEs carry no rights */
		if (level == 1 || ((e & PTE_PS) && (level == 2 || (level == 3 && !pdpt_of_pae)))) {
			u64 page = (1ULL << shift) - 1;
			*pa = (e & ADDR_MASK_64 & ~page) | (linear & page);
			return check_rights(w, error);
		}
		table = e & ADDR_MASK_64;
	}
	return WALK_BAD_TABLE; /* not reached: level 1 always ends the walk */
}

enum walk_result paging_walk(const struct paging_regs *r, u64 linear, u32 access, phys_read_fn read,
			     u64 *pa, u32 *error)
{
	struct walk w = { r, access, PTE_RW | PTE_US, read };

	if (!(r->cr0 & X86_CR0_PG)) {
		*pa = (r->efer & EFER_LMA) ? linear : (u32)linear;
		return WALK_OK;
	}
	if (r->efer & EFER_LMA)
		return walk_64bit(&w, linear, (r->cr4 & X86_CR4_LA57) ? 5 : 4, pa, error);
	if (r->cr4 & X86_CR4_PAE)
		return walk_64bit(&w, (u32)linear, 3, pa, error);
	return walk_32bit(&w, (u32)linear, pa, error);
}
