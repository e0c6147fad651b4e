/*
 * hv/cpu/ap.c: every application processor gets a GDT and TSS of its own,
 * with its own stacks for NMI, #DF and #MC, and enables machine-check
 * exceptions: an NMI or a machine check on a parked processor is taken on
 * a good stack instead of shutting the machine down.
 */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "hv/cpu/ap.h"
#include "arch/x86/ap_boot.h"
#include "arch/x86/cr.h"
#include "arch/x86/desc.h"
#include "arch/x86/frame.h"
#include "arch/x86/paging.h"

#define RAM_BASE 0x100000ULL
#define RAM_SIZE 0x100000ULL

static const int fatal_vectors[NR_IST_STACKS] = { 2, 8, 18 }; /* NMI, #DF, #MC */

static void ram(void)
{
	struct mem_region r = { RAM_BASE, RAM_SIZE, ADDRESS_RANGE_MEMORY };

	model_mem_map(RAM_BASE, RAM_SIZE, 0xa5);
	CHECK(frame_init(&r, 1, NULL, 0));
}

static u64 ist_top(const struct ap_slot *s, int vector)
{
	u8 ist = idt_ist_for_vector(vector);

	return ist ? s->desc->tss.ist[ist - 1] : 0;
}

/* [top - PAGE_SIZE, top) of one AP's stacks and tables may not meet another's. */
static bool apart(u64 a_top, u64 b_top)
{
	return a_top >= b_top + PAGE_SIZE || b_top >= a_top + PAGE_SIZE;
}

TEST(ap_each_processor_has_its_own_tss_and_fatal_stacks)
{
	u64 tops[2 * (NR_IST_STACKS + 2)];
	int n = 0;

	ram();
	ap_prepare_slot(0);
	ap_prepare_slot(1);
	for (int a = 0; a < 2; a++) {
		const struct ap_slot *s = &ap_slots[a];
		const u64 *tss_slot = &s->desc->gdt[GDT_SEL_TSS / 8];

		/* The TSS descriptor LTR loads names this AP's TSS, 64-bit available. */
		CHECK_EQ_U64(tss_descriptor_base(tss_slot), (u64)(uintptr_t)&s->desc->tss);
		CHECK_EQ_U64((tss_slot[0] >> 40) & 0x9f, 0x89);
		CHECK_EQ_U64(s->desc->gdt[GDT_SEL_CODE / 8], 0x00af9a000000ffffULL);
		tops[n++] = (u64)(uintptr_t)s->desc + PAGE_SIZE;
		tops[n++] = s->stack_top;
		for (int v = 0; v < NR_IST_STACKS; v++) {
			u64 top = ist_top(s, fatal_vectors[v]);

			CHECK(top != 0 && top % 16 == 0);
			tops[n++] = top;
		}
		CHECK_EQ_U64(idt_ist_for_vector(13), 0); /* #GP stays on the current stack */
	}
	/* Distinct stacks for each vector and each AP, and none of them over a TSS. */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			unit_check(apart(tops[i], tops[j]), __FILE__, __LINE__,
				   "stacks or tables %d and %d overlap", i, j);
}

TEST(ap_loads_its_own_tables_and_enables_machine_checks)
{
	ram();
	ap_prepare_slot(0);
	ap_prepare_slot(1);
	write_cr4(X86_CR4_PAE); /* after INIT and the trampoline: CR4.MCE is 0 */
	ap_setup_cpu(1);
	CHECK(model_cpu_loaded_desc == ap_slots[1].desc);
	CHECK_EQ_U64(read_cr4(), X86_CR4_PAE | X86_CR4_MCE);
}
