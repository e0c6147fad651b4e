/*
 * MOV to CR0/CR4 with values the CPU refuses with #GP (SDM Vol. 3A,
 * "MOV—Move to/from Control Registers"), written so that they exit: each
 * changes a bit the hypervisor owns (CR0.NE, CR4.VMXE), as the fuzzer's
 * random values do.
 */
#include "guests/hostile/cases.h"
#include "guests/hostile/insn.h"

#define CR0_PE (1u << 0)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_VMXE (1u << 13)
#define CR4_PCIDE (1u << 17)
#define CR4_RESERVED_31 (1u << 31)
#define CR3_PWT (1u << 3)
#define MSR_EFER 0xc0000080
#define EFER_LME (1u << 8)

static void expect_cr0_gp(u32 value)
{
	u32 before = read_cr0();
	bool done = write_cr0_safe(value);

	CHECK(faulted_with(done, VECTOR_GP), "MOV CR0 <- 0x%08x: #GP (vector %u)", value,
	      done ? 0 : guest_fault_vector);
	CHECK(read_cr0() == before, "CR0 unchanged: 0x%08x (was 0x%08x)", read_cr0(), before);
}

static void expect_cr4_gp(u32 value)
{
	u32 before = read_cr4();
	bool done = write_cr4_safe(value);

	CHECK(faulted_with(done, VECTOR_GP), "MOV CR4 <- 0x%08x: #GP (vector %u)", value,
	      done ? 0 : guest_fault_vector);
	CHECK(read_cr4() == before, "CR4 unchanged: 0x%08x (was 0x%08x)", read_cr4(), before);
}

void case_cr0_pg_without_pe(void)
{
	expect_cr0_gp(CR0_PG | CR0_CD | CR0_NW | CR0_NE | CR0_ET);
}

void case_cr0_nw_without_cd(void)
{
	expect_cr0_gp((read_cr0() & ~CR0_CD) | CR0_NW | CR0_NE);
}

/* The cache-control bits are the guest's: what it writes, it reads back. */
void case_cr0_cd_nw_kept(void)
{
	static const u32 values[] = {
		CR0_CD | CR0_NW | CR0_NE | CR0_ET | CR0_PE,
		0x10037, /* WP NE ET TS MP PE: caches on again */
		CR0_CD | CR0_ET | CR0_PE,
		CR0_ET | CR0_PE,
	};

	for (unsigned i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		bool done = write_cr0_safe(values[i]);
		CHECK(done && read_cr0() == values[i], "MOV CR0 <- 0x%08x reads back 0x%08x",
		      values[i], read_cr0());
	}
}

void case_cr4_reserved_bit(void)
{
	expect_cr4_gp(CR4_RESERVED_31 | CR4_VMXE | (1u << 18) /* OSXSAVE */);
}

/* The guest sees no VMX (CPUID.1:ECX.VMX = 0), so CR4.VMXE is reserved to it. */
void case_cr4_vmxe(void)
{
	expect_cr4_gp(CR4_VMXE);
}

/* PCIDE needs IA-32e mode and CR3[11:0] = 0; neither holds. */
void case_cr4_pcide_cr3_low(void)
{
	u32 cr3 = read_cr3();

	write_cr3(cr3 | CR3_PWT);
	expect_cr4_gp(CR4_PCIDE | CR4_VMXE);
	write_cr3(cr3);
}

/* Paging with EFER.LME = 1 activates IA-32e mode, which needs CR4.PAE. */
void case_efer_lme_pg_without_pae(void)
{
	wrmsr(MSR_EFER, EFER_LME);
	expect_cr0_gp(CR0_PG | CR0_NE | CR0_ET | CR0_PE);
	wrmsr(MSR_EFER, 0);
}
