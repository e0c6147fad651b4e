/* arch/x86/cr.c: the #GP checks of MOV to CR0 and CR4 that an emulated write makes. */
#include "tests/unit/unit.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"

#define CR0_BOOT (X86_CR0_PE | X86_CR0_ET)
#define CR4_ALLOWED 0x3727ffULL /* a Skylake's IA32_VMX_CR4_FIXED1 */

static const struct cr_state protected_mode = { .cr0 = CR0_BOOT };

TEST(cr0_paging_without_protection_faults)
{
	CHECK(cr0_write_faults(&protected_mode, 0xe0000030));
	CHECK(cr0_write_faults(&protected_mode, X86_CR0_PG | X86_CR0_ET));
	CHECK(!cr0_write_faults(&protected_mode, X86_CR0_PG | X86_CR0_PE));
}

TEST(cr0_nw_needs_cd)
{
	CHECK(cr0_write_faults(&protected_mode, CR0_BOOT | X86_CR0_NW));
	CHECK(!cr0_write_faults(&protected_mode, CR0_BOOT | X86_CR0_NW | X86_CR0_CD));
	CHECK(!cr0_write_faults(&protected_mode, CR0_BOOT | X86_CR0_CD));
}

TEST(cr0_high_half_is_reserved)
{
	CHECK(cr0_write_faults(&protected_mode, CR0_BOOT | (1ULL << 32)));
}

TEST(cr0_low_reserved_bits_are_dropped_and_et_reads_one)
{
	CHECK_EQ_U64(cr0_normalize(0x10037), 0x10037);
	CHECK_EQ_U64(cr0_normalize(X86_CR0_PE | BIT(6) | BIT(17) | BIT(28)), CR0_BOOT);
	CHECK_EQ_U64(cr0_normalize(X86_CR0_CD | X86_CR0_NW), X86_CR0_CD | X86_CR0_NW | X86_CR0_ET);
}

TEST(cr0_long_mode_paging_needs_pae)
{
	struct cr_state s = { .cr0 = CR0_BOOT, .efer = EFER_LME };

	CHECK(cr0_write_faults(&s, X86_CR0_PG | CR0_BOOT | X86_CR0_NE));
	s.cr4 = X86_CR4_PAE;
	CHECK(!cr0_write_faults(&s, X86_CR0_PG | CR0_BOOT | X86_CR0_NE));
	/* Already paging (legacy): the check is made only when paging turns on. */
	s = (struct cr_state){ .cr0 = CR0_BOOT | X86_CR0_PG, .efer = EFER_LME };
	CHECK(!cr0_write_faults(&s, X86_CR0_PG | CR0_BOOT | X86_CR0_NE));
}

TEST(cr0_paging_off_in_64bit_mode_faults)
{
	struct cr_state s = { .cr0 = CR0_BOOT | X86_CR0_PG,
			      .cr4 = X86_CR4_PAE,
			      .efer = EFER_LME | EFER_LMA,
			      .cs_long = true };

	CHECK(cr0_write_faults(&s, CR0_BOOT));
	s.cs_long = false; /* compatibility mode may leave IA-32e mode */
	CHECK(!cr0_write_faults(&s, CR0_BOOT));
	s.cr4 |= X86_CR4_PCIDE;
	CHECK(cr0_write_faults(&s, CR0_BOOT));
}

TEST(cr0_wp_clear_with_cet_faults)
{
	struct cr_state s = { .cr0 = CR0_BOOT | X86_CR0_WP, .cr4 = X86_CR4_CET };

	CHECK(cr0_write_faults(&s, CR0_BOOT));
	CHECK(!cr0_write_faults(&s, CR0_BOOT | X86_CR0_WP));
}

TEST(cr4_bits_the_processor_lacks_fault)
{
	CHECK(cr4_write_faults(&protected_mode, 0x80042000, CR4_ALLOWED & ~(u64)X86_CR4_VMXE));
	CHECK(cr4_write_faults(&protected_mode, X86_CR4_VMXE, CR4_ALLOWED & ~(u64)X86_CR4_VMXE));
	CHECK(cr4_write_faults(&protected_mode, 1ULL << 32, ~0ULL >> 32));
	CHECK(!cr4_write_faults(&protected_mode, X86_CR4_PAE | X86_CR4_OSXSAVE, CR4_ALLOWED));
}

TEST(cr4_pcide_needs_long_mode_and_a_clear_cr3_low_part)
{
	struct cr_state s = { .cr0 = CR0_BOOT | X86_CR0_PG,
			      .cr4 = X86_CR4_PAE,
			      .efer = EFER_LME | EFER_LMA,
			      .cs_long = true };

	CHECK(cr4_write_faults(&protected_mode, X86_CR4_PCIDE, CR4_ALLOWED));
	CHECK(!cr4_write_faults(&s, X86_CR4_PAE | X86_CR4_PCIDE, CR4_ALLOWED));
	s.cr3 = 0x1000 | 0x8;
	CHECK(cr4_write_faults(&s, X86_CR4_PAE | X86_CR4_PCIDE, CR4_ALLOWED));
	/* Already on: CR3[11:0] is the PCID, no longer checked. */
	s.cr4 |= X86_CR4_PCIDE;
	CHECK(!cr4_write_faults(&s, X86_CR4_PAE | X86_CR4_PCIDE, CR4_ALLOWED));
}

TEST(cr4_pae_and_la57_are_fixed_in_ia32e_mode)
{
	struct cr_state s = { .cr0 = CR0_BOOT | X86_CR0_PG,
			      .cr4 = X86_CR4_PAE,
			      .efer = EFER_LME | EFER_LMA };

	CHECK(cr4_write_faults(&s, 0, CR4_ALLOWED));
	CHECK(cr4_write_faults(&s, X86_CR4_PAE | X86_CR4_LA57, ~0ULL));
	CHECK(!cr4_write_faults(&s, X86_CR4_PAE | X86_CR4_PGE, CR4_ALLOWED));
}

TEST(cr4_cet_needs_wp)
{
	CHECK(cr4_write_faults(&protected_mode, X86_CR4_CET, ~0ULL));
	struct cr_state s = { .cr0 = CR0_BOOT | X86_CR0_WP };
	CHECK(!cr4_write_faults(&s, X86_CR4_CET, ~0ULL));
}
