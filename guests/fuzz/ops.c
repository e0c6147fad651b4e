/*
 * The fuzz guest's operation kinds. Each run function draws its parameters
 * from the PRNG before executing anything (so the sequence of operations
 * depends on the seed alone, never on outcomes), executes one sensitive
 * operation through fz_run, describes it, checks what it can of the outcome
 * and restores a sane machine state.
 */
#include "fuzz.h"
#include "ops.h"
#include "hv/base/hypercall.h"

#define SNIP(name) extern void fz_i_##name(void)
SNIP(cpuid);
SNIP(rdmsr);
SNIP(wrmsr);
SNIP(rdpmc);
SNIP(rdtsc);
SNIP(inb);
SNIP(inw);
SNIP(inl);
SNIP(outb);
SNIP(outw);
SNIP(outl);
SNIP(insb);
SNIP(insw);
SNIP(insl);
SNIP(outsb);
SNIP(outsw);
SNIP(outsl);
SNIP(insb_std);
SNIP(insw_std);
SNIP(insl_std);
SNIP(outsb_std);
SNIP(outsw_std);
SNIP(outsl_std);
SNIP(mov_cr0);
SNIP(mov_cr3);
SNIP(mov_cr4);
SNIP(read_cr0);
SNIP(read_cr3);
SNIP(read_cr4);
SNIP(clts);
SNIP(xsetbv);
SNIP(xgetbv);
SNIP(invd);
SNIP(wbinvd);
SNIP(vmcall);
SNIP(vmxon);
SNIP(vmxoff);
SNIP(vmclear);
SNIP(vmptrld);
SNIP(vmptrst);
SNIP(vmread);
SNIP(vmwrite);
SNIP(vmlaunch);
SNIP(vmresume);
SNIP(invept);
SNIP(invvpid);
SNIP(vmfunc);
SNIP(hlt);
SNIP(cli);
SNIP(sti_hlt_cli);
SNIP(lgdt);
SNIP(read32);
SNIP(write32);
SNIP(ljmp_tss_b);
SNIP(ljmp_tss_a);
SNIP(ud2);

extern u8 fz_membuf[4096];
extern volatile u32 fz_task_b_runs;

/* ---- machine state ---- */

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR0_KNOWN                                                                                  \
	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | \
	 CR0_PG)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_PCE (1u << 8)
#define CR4_VMXE (1u << 13)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_ADJUST 0x3b
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_EFER 0xc0000080u
#define EFER_LME (1u << 8)
#define MSR_VMX_BASIC 0x480
#define APIC_BASE_X2APIC (1u << 10)

#define XAPIC 0xfee00000u
#define XAPIC_ID 0x20
#define XAPIC_TPR 0x80
#define XAPIC_SVR 0xf0
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310
#define XAPIC_LVT_TIMER 0x320
#define XAPIC_TIMER_INIT 0x380
#define XAPIC_TIMER_CUR 0x390
#define XAPIC_TIMER_DIV 0x3e0

static u32 sane_cr0, sane_cr3;
static u64 sane_efer;
static bool efer_ok, has_xsave, x2apic_mode;

/* 32-bit paging, 4 MiB pages, identity over 4 GiB. */
static u32 pd32[1024] __attribute__((aligned(4096)));
/* PAE paging, 2 MiB pages, identity over 4 GiB; pd_pae[3][0] is the high-memory window. */
static u64 pdpt[4] __attribute__((aligned(32)));
static u64 pd_pae[4][512] __attribute__((aligned(4096)));
#define PTE_P_RW_US_PS 0x87u
#define HIGH_WINDOW 0xc0000000u

static volatile u32 *xapic(u32 reg)
{
	return (volatile u32 *)(uintptr_t)(XAPIC + reg);
}

static u32 cr_read(snippet_fn *fn)
{
	struct fz_regs r = { 0 };

	if (fz_run(fn, &r) != FZ_OK)
		implausible("reading a control register faulted");
	return r.eax;
}

static u32 cr_write(snippet_fn *fn, u32 value)
{
	struct fz_regs r = { .eax = value };

	return fz_run(fn, &r);
}

static u32 msr_read(u32 msr, u64 *value)
{
	struct fz_regs r = { .ecx = msr };
	u32 v = fz_run(fz_i_rdmsr, &r);

	*value = (u64)r.edx << 32 | r.eax;
	return v;
}

static u32 msr_write(u32 msr, u64 value)
{
	struct fz_regs r = { .eax = (u32)value, .ecx = msr, .edx = (u32)(value >> 32) };

	return fz_run(fz_i_wrmsr, &r);
}

/* Back to the state every operation starts from: paging off, CR4 0, our CR3 and EFER. */
static void restore_state(void)
{
	if (cr_write(fz_i_mov_cr0, sane_cr0) != FZ_OK || cr_write(fz_i_mov_cr4, 0) != FZ_OK ||
	    cr_write(fz_i_mov_cr3, sane_cr3) != FZ_OK)
		implausible("restoring CR0/CR4/CR3 faulted");
	if (efer_ok && msr_write(MSR_EFER, sane_efer) != FZ_OK)
		implausible("restoring EFER faulted");
}

void ops_init(void)
{
	u64 v;

	/* PIC: every line masked, so that IF=1 (HLT operations) lets in only the APIC timer. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	guest_printf("fz-hv: initial cr0 0x%x cr3 0x%x cr4 0x%x\n", read_cr0(), read_cr3(),
		     read_cr4());
	sane_cr0 = CR0_PE | CR0_ET | CR0_NE;
	sane_cr3 = 0;
	efer_ok = msr_read(MSR_EFER, &sane_efer) == FZ_OK;
	has_xsave = cpuid(1, 0).ecx & (1u << 26);
	x2apic_mode = rdmsr_safe(MSR_APIC_BASE, &v) && (v & APIC_BASE_X2APIC);
	for (u32 i = 0; i < 1024; i++)
		pd32[i] = i << 22 | PTE_P_RW_US_PS;
	for (u32 i = 0; i < 4; i++) {
		pdpt[i] = (u32)(uintptr_t)pd_pae[i] | 1;
		for (u32 j = 0; j < 512; j++)
			pd_pae[i][j] = (u64)(i * 512 + j) << 21 | PTE_P_RW_US_PS;
	}
	restore_state();
}

static bool faulted(u32 v)
{
	return v != FZ_OK;
}

/* Allowed: ok, or #GP with error code 0. */
static void expect_ok_or_gp0(u32 v)
{
	if (v != FZ_OK && !(v == VEC_GP && fz_error == 0))
		implausible("vector %u error 0x%x, want ok or #GP(0)", v, fz_error);
}

static void expect_vector(u32 v, u32 want)
{
	if (v == want && !(want == VEC_GP && fz_error != 0))
		return;
	if (v == FZ_OK)
		implausible("no exception, want vector %u", want);
	else if (want == FZ_OK)
		implausible("vector %u error 0x%x, want no exception", v, fz_error);
	else
		implausible("vector %u error 0x%x, want vector %u", v, fz_error, want);
}

/* ---- cpuid, cpuid-hv ---- */

static bool run_cpuid_leaf(u32 leaf, u32 sub)
{
	struct fz_regs r = random_regs(), before;
	u32 v;

	r.eax = leaf;
	r.ecx = sub;
	before = r;
	v = fz_run(fz_i_cpuid, &r);
	op_desc("leaf 0x%x.%u", leaf, sub);
	op_outcome(v);
	if (v == FZ_OK)
		op_result(" %08x %08x %08x %08x", r.eax, r.ebx, r.ecx, r.edx);
	if (v != FZ_OK)
		implausible("CPUID faulted");
	check_untouched(&before, &r, R_EAX | R_EBX | R_ECX | R_EDX);
	return faulted(v);
}

static bool op_cpuid(void)
{
	static const u32 sub_leaved[] = { 0x4, 0x7, 0xb, 0xd, 0x12, 0x14, 0x17, 0x18, 0x1f };
	u32 leaf, sub = rnd(4) ? rnd(4) : rnd32();

	switch (rnd(4)) {
	case 0:
		leaf = rnd(0x20);
		break;
	case 1:
		leaf = 0x80000000u + rnd(9);
		break;
	case 2:
		leaf = rnd32();
		break;
	default:
		leaf = sub_leaved[rnd(ARRAY_SIZE(sub_leaved))];
		break;
	}
	/* Leaves 1 and 0xa (VMX, hypervisor bit, PMU) and the hypervisor range are cpuid-hv. */
	if (leaf == 1 || leaf == 0xa)
		leaf = 0;
	if ((leaf >> 28) == 4)
		leaf &= 0x0fffffff;
	return run_cpuid_leaf(leaf, sub);
}

static bool op_cpuid_hv(void)
{
	u32 r = rnd(3);
	u32 leaf = r == 0 ? 1 : r == 1 ? 0xa : 0x40000000u + rnd(0x110);

	return run_cpuid_leaf(leaf, rnd(2));
}

/* ---- msr, msr-hv, x2apic ---- */

/* Readable MSRs of a Skylake-class CPU whose values do not change with time. */
static const u32 stable_msrs[] = {
	0x17,	    MSR_APIC_BASE, 0x8b,       0xce,	   0xfe,       0x174,	   0x175,
	0x176,	    0x179,	   0x17a,      0x1a0,	   0x1d9,      0x200,	   0x201,
	0x250,	    0x258,	   0x259,      0x268,	   0x277,      0x2ff,	   0x3b,
	0x6e0,	    0x600,	   MSR_EFER,   0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101,	   0xc0000102, 0xc0000103, 0x1c9,      0x1db,	   0x1dc,
};
/* Readable but time-dependent: outcome only, no value (time_dependent_msr()). */
static const u32 volatile_msrs[] = { MSR_TSC, 0xe7, 0xe8 };
/* Writable with any value that passes the checks, read back exactly. */
static const u32 value_msrs[] = { 0x174,      0x175,	  0x176,      0x277,
				  0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
				  0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103 };

static u64 random_value(void)
{
	switch (rnd(7)) {
	case 0:
		return 0;
	case 1:
		return rnd(16);
	case 2:
		return rnd32();
	case 3:
		return rnd64() & 0xffffffffffffULL;
	case 4:
		return ~0ULL;
	case 5:
		return 1ULL << rnd(64);
	default:
		return rnd64();
	}
}

static u32 random_msr_index(void)
{
	switch (rnd(4)) {
	case 0:
		return rnd(0x2000);
	case 1:
		return 0xc0000000u + rnd(0x2000);
	case 2:
		return rnd32() &
		       ~0x40000000u; /* never the hypervisor range 0x40000000-0x7fffffff */
	default:
		return stable_msrs[rnd(ARRAY_SIZE(stable_msrs))];
	}
}

static bool msr_read_op(u32 msr, bool show_value)
{
	struct fz_regs r = random_regs(), before;
	u32 v;

	r.ecx = msr;
	before = r;
	v = fz_run(fz_i_rdmsr, &r);
	op_desc("rdmsr 0x%x", msr);
	op_outcome(v);
	if (v == FZ_OK && show_value)
		op_result(" %08x%08x", r.edx, r.eax);
	expect_ok_or_gp0(v);
	check_untouched(&before, &r, v == FZ_OK ? R_EAX | R_EDX : 0);
	return faulted(v);
}

static bool msr_write_op(u32 msr, u64 value, bool show_value)
{
	struct fz_regs r = random_regs(), before;
	u32 v;

	r.ecx = msr;
	r.eax = (u32)value;
	r.edx = (u32)(value >> 32);
	before = r;
	v = fz_run(fz_i_wrmsr, &r);
	if (show_value)
		op_desc("wrmsr 0x%x %llx", msr, (unsigned long long)value);
	else
		op_desc("wrmsr 0x%x", msr);
	op_outcome(v);
	expect_ok_or_gp0(v);
	check_untouched(&before, &r, 0);
	return faulted(v);
}

/*
 * Values that move with time: the TSC and its kin, and IA32_TSC_ADJUST,
 * which every TSC write (the msr kind writes the TSC back) moves by the
 * ticks between the read and the write. Outcome only, no value.
 */
static bool time_dependent_msr(u32 msr)
{
	if (msr == MSR_TSC_ADJUST)
		return true;
	for (unsigned i = 0; i < ARRAY_SIZE(volatile_msrs); i++)
		if (msr == volatile_msrs[i])
			return true;
	return false;
}

static bool op_msr(void)
{
	u32 choice = rnd(6);
	u32 msr = random_msr_index();
	u32 vmsr = value_msrs[rnd(ARRAY_SIZE(value_msrs))];
	u32 volatile_msr = volatile_msrs[rnd(ARRAY_SIZE(volatile_msrs))];
	u64 value = random_value();
	u32 bogus = (rnd(2) ? 0x10000000u : 0x80000000u) + rnd(0x30000000);
	u32 efer_bit = (u32[]){ 0, 8, 11, 1, 2, 9, 12, 13, 15, 20, 63 }[rnd(11)];
	u64 old, back;
	bool f;

	switch (choice) {
	case 0:
		return msr_read_op(msr, !time_dependent_msr(msr));
	case 1:
		return msr_read_op(volatile_msr, false);
	case 2: /* an MSR that must not exist */
		f = msr_write_op(bogus, value, true);
		if (!f)
			implausible("WRMSR of a nonexistent MSR succeeded");
		return f;
	case 3: /* write a random value, read it back, put the old one back */
		if (msr_read(vmsr, &old) != FZ_OK) {
			op_desc("rdmsr 0x%x ", vmsr);
			op_outcome(VEC_GP);
			return true;
		}
		f = msr_write_op(vmsr, value, true);
		if (!f) {
			u32 rv = msr_read(vmsr, &back);

			op_result(", reads %llx", (unsigned long long)back);
			/* SYSENTER_CS, FMASK and TSC_AUX keep 32 bits; Bochs drops the rest. */
			if (rv != FZ_OK || (back != value && back != (u32)value))
				implausible("read back %llx after writing %llx",
					    (unsigned long long)back, (unsigned long long)value);
			msr_write(vmsr, old);
		}
		return f;
	case 4: /* EFER: toggle one bit (reserved ones must #GP) */
		if (!efer_ok)
			return msr_read_op(MSR_EFER, true);
		f = msr_write_op(MSR_EFER, sane_efer ^ (1ULL << efer_bit), true);
		if (!f) {
			msr_read(MSR_EFER, &back);
			op_result(", reads %llx", (unsigned long long)back);
		}
		restore_state();
		return f;
	default: /* TSC: write back what was read (the value itself is time) */
		if (msr_read(MSR_TSC, &old) != FZ_OK)
			implausible("RDMSR TSC faulted");
		return msr_write_op(MSR_TSC, old, false);
	}
}

static bool op_msr_hv(void)
{
	u32 choice = rnd(4);
	u32 vmx = MSR_VMX_BASIC + rnd(0x12);
	u32 hvmsr = 0x40000000u + rnd(0x200);
	u64 value = random_value(), old;

	switch (choice) {
	case 0: /* the VMX capability MSRs: readable natively, hidden under a hypervisor */
		return msr_read_op(vmx, true);
	case 1:
		return msr_read_op(MSR_FEATURE_CONTROL, true);
	case 2: /* locked natively: writing it back must #GP */
		if (msr_read(MSR_FEATURE_CONTROL, &old) != FZ_OK)
			return msr_read_op(MSR_FEATURE_CONTROL, true);
		return msr_write_op(MSR_FEATURE_CONTROL, old, true);
	default: /* the range reserved for hypervisors */
		if (rnd(2))
			return msr_read_op(hvmsr, true);
		return msr_write_op(hvmsr, value, true);
	}
}

static bool op_x2apic(void)
{
	/* ID, TPR, EOI, ICR, timer initial count, SELF_IPI: the ones a hypervisor may intercept. */
	static const u32 hot[] = { 0x802, 0x808, 0x80b, 0x830, 0x838, 0x83f };
	u32 msr = rnd(2) ? 0x800 + rnd(0x100) : hot[rnd(ARRAY_SIZE(hot))];
	bool write = rnd(2);
	u64 value = random_value();
	bool f;

	/* In xAPIC mode every x2APIC MSR #GPs (SDM Vol. 3A, "x2APIC Register Address Space"). */
	if (x2apic_mode) {
		op_desc("skipped: the APIC is in x2APIC mode");
		return false;
	}
	f = write ? msr_write_op(msr, value, true) : msr_read_op(msr, true);
	if (!f)
		implausible("x2APIC MSR accessible in xAPIC mode");
	return f;
}

/* ---- pmu ---- */

#define MSR_GLOBAL_STATUS_RESET 0x390
#define MSR_GLOBAL_STATUS_SET 0x391

static const u32 pmu_msrs[] = { 0xc1,  0xc2,  0xc3,  0xc4,  0xc5,  0xc6,  0xc7,	 0xc8,
				0x186, 0x187, 0x188, 0x189, 0x18a, 0x18b, 0x18c, 0x18d,
				0x309, 0x30a, 0x30b, 0x30c, 0x345, 0x38d, 0x38e, 0x38f,
				0x390, 0x391, 0x4c1, 0x4c2, 0x3f1 };

static bool op_pmu(void)
{
	u32 choice = rnd(3);
	u32 msr = pmu_msrs[rnd(ARRAY_SIZE(pmu_msrs))];
	u64 value = rnd(2) ? random_value() : (u64)rnd(0x10000) << (rnd(4) * 8);
	u32 index = (u32[]){
		0, 1, 2, 3, 4, 7, 0x40000000u, 0x40000001u, 0x40000002u, 0x40000003u, 0x80000000u, 0
	}[rnd(12)];
	struct fz_regs r = random_regs(), before;
	u32 v;
	u64 back;
	bool f;

	if (index == 0 && rnd(2))
		index = rnd32();
	/*
	 * GLOBAL_STATUS_RESET and _SET act on GLOBAL_STATUS; what they read back
	 * is not architectural (Bochs keeps them as storage): outcome only.
	 */
	bool show = msr != MSR_GLOBAL_STATUS_RESET && msr != MSR_GLOBAL_STATUS_SET;

	switch (choice) {
	case 0:
		return msr_read_op(msr, show);
	case 1:
		f = msr_write_op(msr, value, true);
		if (!f && show && msr_read(msr, &back) == FZ_OK)
			op_result(", reads %llx", (unsigned long long)back);
		return f;
	default:
		r.ecx = index;
		before = r;
		v = fz_run(fz_i_rdpmc, &r);
		op_desc("rdpmc 0x%x", index);
		op_outcome(v);
		if (v == FZ_OK)
			op_result(" %08x%08x", r.edx, r.eax);
		expect_ok_or_gp0(v);
		check_untouched(&before, &r, v == FZ_OK ? R_EAX | R_EDX : 0);
		return faulted(v);
	}
}

/* ---- io, io-hv, strio ---- */

/* Reads of these change with time or device state the run does not control. */
static bool volatile_port(u32 port, u32 width)
{
	for (u32 i = 0; i < width; i++) {
		u32 p = (port + i) & 0xffff;

		if (p < 0x400 || (p >= 0xb000 && p < 0xb100) || (p >= 0xc000 && p < 0xc100))
			return true;
	}
	return false;
}

static bool touches(u32 port, u32 width, u32 lo, u32 hi)
{
	for (u32 i = 0; i < width; i++) {
		u32 p = (port + i) & 0xffff;

		if (p >= lo && p < hi)
			return true;
	}
	return false;
}

/* Ports where writes have no effect we care about (no reset, shutdown or exit port). */
static u32 safe_out_port(u32 width)
{
	switch (rnd(6)) {
	case 0:
		return 0x80;
	case 1:
		return 0x100 + rnd(0x70 - width + 1);
	case 2: /* not 0x500-0x503: Bochs' VGA BIOS debug and panic ports */
		return 0x504 + rnd(0x1c - width + 1);
	case 3:
		return 0x524 + rnd(0x8900 - 0x524 - width);
	case 4: /* straddles the 0x7fff/0x8000 boundary of the two I/O bitmaps */
		return 0x7fff - rnd(width);
	default: /* wraps past 0xffff to ports 0-2 (DMA channel 0 address and count) */
		return width == 1 ? 0xffff : 0xffff - rnd(width - 1);
	}
}

static u32 any_in_port(void)
{
	static const u32 edges[] = { 0xf1,   0xf2,   0xf3,   0x7ffd, 0x7ffe,
				     0x7fff, 0xfffd, 0xfffe, 0xffff, 0x51c };

	return rnd(3) ? rnd(0x10000) : edges[rnd(ARRAY_SIZE(edges))];
}

static bool port_op(bool out, u32 port, u32 width, u32 value)
{
	static snippet_fn *const ins[] = { fz_i_inb, fz_i_inw, 0, fz_i_inl };
	static snippet_fn *const outs[] = { fz_i_outb, fz_i_outw, 0, fz_i_outl };
	struct fz_regs r = random_regs(), before;
	u32 mask = width == 4 ? ~0u : (1u << (8 * width)) - 1;
	u32 v;

	r.edx = (r.edx & ~0xffffu) | port;
	if (out)
		r.eax = value;
	before = r;
	v = fz_run(out ? outs[width - 1] : ins[width - 1], &r);
	op_desc("%s%c 0x%x", out ? "out" : "in", "bw?l"[width - 1], port);
	if (out)
		op_desc(" %x", value & mask);
	op_outcome(v);
	if (!out && v == FZ_OK && !volatile_port(port, width))
		op_result(" %x", r.eax & mask);
	if (v != FZ_OK)
		implausible("port I/O at CPL0 faulted");
	check_untouched(&before, &r, out ? 0 : R_EAX);
	if (!out && (r.eax & ~mask) != (before.eax & ~mask))
		implausible("IN changed EAX bits beyond its width");
	return faulted(v);
}

static bool op_io(void)
{
	u32 width = (u32[]){ 1, 2, 4 }[rnd(3)];
	bool out = rnd(2);
	u32 port = out ? safe_out_port(width) : any_in_port();
	u32 value = rnd32();

	/* The hypervisor's test port answers with its own value: that is io-hv. */
	if (touches(port, width, HV_TEST_PORT, HV_TEST_PORT + 4))
		port = 0x80;
	return port_op(out, port, width, value);
}

static bool op_io_hv(void)
{
	u32 width = (u32[]){ 1, 2, 4 }[rnd(3)];
	bool out = rnd(2);
	u32 port = rnd(2) ? HV_TEST_PORT + rnd(4) : HV_TEST_PORT - 1 - rnd(3);

	return port_op(out, port, width, rnd32());
}

#define STR_BUF_OFFSET 1024
#define STR_MAX_COUNT 8

static bool op_strio(void)
{
	static snippet_fn *const ins_up[] = { fz_i_insb, fz_i_insw, 0, fz_i_insl };
	static snippet_fn *const ins_down[] = { fz_i_insb_std, fz_i_insw_std, 0, fz_i_insl_std };
	static snippet_fn *const outs_up[] = { fz_i_outsb, fz_i_outsw, 0, fz_i_outsl };
	static snippet_fn *const outs_down[] = { fz_i_outsb_std, fz_i_outsw_std, 0,
						 fz_i_outsl_std };
	u32 width = (u32[]){ 1, 2, 4 }[rnd(3)];
	bool out = rnd(2), down = rnd(2);
	u32 count = 1 + rnd(STR_MAX_COUNT);
	u32 in_ports[] = { 0x80, GUEST_EXIT_PORT, 0xf2, 0x100 + rnd(0x60), 0x524 + rnd(0x1000) };
	u32 port = out ? safe_out_port(width) : in_ports[rnd(ARRAY_SIZE(in_ports))];
	u8 *buf = fz_membuf + STR_BUF_OFFSET;
	u32 bytes = count * width;
	u32 start = (u32)(uintptr_t)buf + (down ? bytes - width : 0);
	struct fz_regs r = random_regs(), before;
	u32 v, sum = 0;

	if (touches(port, width, HV_TEST_PORT, HV_TEST_PORT + 4))
		port = 0x80;
	for (u32 i = 0; i < STR_MAX_COUNT * 4 + 8; i++)
		buf[i] = (u8)rnd32();
	r.edx = (r.edx & ~0xffffu) | port;
	r.ecx = count;
	if (out)
		r.esi = start;
	else
		r.edi = start;
	before = r;
	v = fz_run(out ? (down ? outs_down : outs_up)[width - 1]
		       : (down ? ins_down : ins_up)[width - 1],
		   &r);
	op_desc("rep %s%c 0x%x x%u %s", out ? "outs" : "ins", "bw?l"[width - 1], port, count,
		down ? "down" : "up");
	op_outcome(v);
	if (v != FZ_OK) {
		implausible("string I/O at CPL0 faulted");
		return true;
	}
	if (!out && !volatile_port(port, width)) {
		for (u32 i = 0; i < STR_MAX_COUNT * 4 + 8; i++)
			sum = sum * 31 + buf[i];
		op_result(" buf %08x", sum);
	}
	u32 end = down ? start - bytes : start + bytes;
	if (r.ecx != 0 || (out ? r.esi : r.edi) != end)
		implausible("after REP: ECX %u (want 0), %s 0x%x (want 0x%x)", r.ecx,
			    out ? "ESI" : "EDI", out ? r.esi : r.edi, end);
	if (r.eflags & EFLAGS_DF)
		implausible("DF still set after the snippet's CLD");
	check_untouched(&before, &r, R_ECX | R_ESI | R_EDI);
	return false;
}

/* ---- cr, cr-hv ---- */

/* CR0 values that must #GP or that change caching and paging. */
static u32 cr0_candidate(void)
{
	static const u32 edges[] = { 0xe0000030u, 0x20000031u, 0x60000031u, 0x40000031u,
				     0x00010037u, 0x80000031u, 0x80000030u, 0x80010031u };
	static const u32 flips[] = { CR0_MP, CR0_EM, CR0_TS, CR0_NE, CR0_WP,  CR0_AM,
				     CR0_NW, CR0_CD, CR0_PG, CR0_PE, 1u << 7, 1u << 20 };

	switch (rnd(3)) {
	case 0:
		return edges[rnd(ARRAY_SIZE(edges))];
	case 1:
		return sane_cr0 ^ flips[rnd(ARRAY_SIZE(flips))] ^
		       (rnd(2) ? flips[rnd(ARRAY_SIZE(flips))] : 0);
	default:
		return rnd32();
	}
}

static void enable_paging_structures(bool pae)
{
	cr_write(fz_i_mov_cr3, pae ? (u32)(uintptr_t)pdpt : (u32)(uintptr_t)pd32);
	cr_write(fz_i_mov_cr4, pae ? CR4_PAE : CR4_PSE);
}

static bool op_cr0(void)
{
	u32 value = cr0_candidate();
	bool lme = rnd(4) == 0;
	u32 v, back;

	/* Clearing PE while PG is clear enters real mode: a state change, not an error case. */
	if (!(value & CR0_PE) && !(value & CR0_PG))
		value |= CR0_PE;
	if (lme && efer_ok) {
		/* EFER.LME with CR4.PAE clear: setting PG must #GP (SDM Vol. 3A, "MOV to CR0"). */
		msr_write(MSR_EFER, sane_efer | EFER_LME);
		cr_write(fz_i_mov_cr3, (u32)(uintptr_t)pd32);
		value |= CR0_PG | CR0_PE;
		op_desc("efer.lme=1 ");
	} else if (value & CR0_PG) {
		enable_paging_structures(false);
	}
	v = cr_write(fz_i_mov_cr0, value);
	op_desc("mov cr0 0x%x", value);
	op_outcome(v);
	if (v == FZ_OK) {
		back = cr_read(fz_i_read_cr0);
		op_result(", reads 0x%x", back);
		if ((back & CR0_KNOWN) != ((value | CR0_ET) & CR0_KNOWN))
			implausible("CR0 reads 0x%x after writing 0x%x", back, value);
		if ((value & CR0_NW) && !(value & CR0_CD))
			implausible("CR0 with NW=1, CD=0 accepted");
		if ((value & CR0_PG) && !(value & CR0_PE))
			implausible("CR0 with PG=1, PE=0 accepted");
		if (lme && efer_ok)
			implausible("CR0.PG=1 accepted with EFER.LME=1 and CR4.PAE=0");
	} else {
		expect_vector(v, VEC_GP);
	}
	restore_state();
	return faulted(v);
}

static bool op_cr4(u32 value)
{
	u32 v, back;

	v = cr_write(fz_i_mov_cr4, value);
	op_desc("mov cr4 0x%x", value);
	op_outcome(v);
	if (v == FZ_OK) {
		back = cr_read(fz_i_read_cr4);
		op_result(", reads 0x%x", back);
		if (back != value)
			implausible("CR4 reads 0x%x after writing 0x%x", back, value);
		if (value & CR4_PCIDE)
			implausible("CR4.PCIDE accepted outside IA-32e mode");
	} else {
		expect_vector(v, VEC_GP);
	}
	restore_state();
	return faulted(v);
}

static bool op_cr(void)
{
	u32 which = rnd(4);
	u32 bit = rnd(32);
	u32 cr3 = rnd32();
	u32 v;

	switch (which) {
	case 0:
	case 1:
		return op_cr0();
	case 2:
		/* One random bit (VMXE is cr-hv), or an edge value with a reserved bit. */
		if (bit == 13)
			bit = 4;
		if (rnd(4) == 0)
			return op_cr4(rnd(2) ? 0x80042000u & ~CR4_VMXE : CR4_PCIDE);
		return op_cr4(1u << bit);
	default:
		v = cr_write(fz_i_mov_cr3, cr3);
		op_desc("mov cr3 0x%x", cr3);
		op_outcome(v);
		if (v == FZ_OK) {
			u32 back = cr_read(fz_i_read_cr3);

			op_result(", reads 0x%x", back);
			if (back != cr3)
				implausible("CR3 reads 0x%x after writing 0x%x", back, cr3);
		} else {
			implausible("MOV to CR3 with paging off faulted");
		}
		restore_state();
		return faulted(v);
	}
}

static bool op_cr_hv(void)
{
	/* CR4.VMXE: natively accepted (the CPU has VMX); a hypervisor that hides VMX must #GP. */
	return op_cr4(CR4_VMXE | (rnd(2) ? CR4_PSE : 0));
}

/* ---- xsetbv ---- */

static bool op_xsetbv(void)
{
	static const u32 xcr0s[] = { 1, 3, 0, 2, 5, 7, 0x1f, 0xe7, 0x200 };
	u32 xcr = rnd(4) ? 0 : 1 + rnd(3);
	u32 lo = rnd(3) ? xcr0s[rnd(ARRAY_SIZE(xcr0s))] : rnd32();
	u32 hi = rnd(4) ? 0 : rnd32();
	bool osxsave = rnd(5) != 0;
	struct fz_regs r = random_regs(), before;
	u32 v;

	if (!has_xsave) {
		op_desc("skipped: no XSAVE");
		return false;
	}
	if (osxsave)
		cr_write(fz_i_mov_cr4, CR4_OSXSAVE);
	r.ecx = xcr;
	r.eax = lo;
	r.edx = hi;
	before = r;
	v = fz_run(fz_i_xsetbv, &r);
	op_desc("%sxsetbv xcr%u %x%08x", osxsave ? "" : "(no osxsave) ", xcr, hi, lo);
	op_outcome(v);
	if (!osxsave)
		expect_vector(v, VEC_UD);
	else if (v != FZ_OK)
		expect_vector(v, VEC_GP);
	if (v == FZ_OK) {
		struct fz_regs g = { .ecx = 0 };

		if (fz_run(fz_i_xgetbv, &g) == FZ_OK)
			op_result(", xcr0 %x%08x", g.edx, g.eax);
		if (xcr != 0 || !(lo & 1))
			implausible("XSETBV accepted XCR%u = %x%08x", xcr, hi, lo);
	}
	check_untouched(&before, &r, 0);
	if (osxsave) {
		struct fz_regs x = { .eax = 1, .ecx = 0, .edx = 0 };

		if (fz_run(fz_i_xsetbv, &x) != FZ_OK)
			implausible("restoring XCR0 = 1 faulted");
	}
	restore_state();
	return faulted(v);
}

/* ---- ring3 ---- */

struct user_case {
	const char *name;
	snippet_fn *fn;
	u32 want; /* FZ_OK or the vector (#GP with error code 0) */
	u32 ecx, eax, edx;
	u32 cr4; /* set before dropping to CPL3 */
};

static bool op_ring3(void)
{
	const struct user_case cases[] = {
		{ "cpuid", fz_i_cpuid, FZ_OK, 0, 0, 0, 0 },
		{ "rdtsc", fz_i_rdtsc, FZ_OK, 0, 0, 0, 0 },
		{ "rdmsr", fz_i_rdmsr, VEC_GP, MSR_EFER, 0, 0, 0 },
		{ "wrmsr", fz_i_wrmsr, VEC_GP, MSR_EFER, 0, 0, 0 },
		{ "rdpmc", fz_i_rdpmc, VEC_GP, 0, 0, 0, 0 },
		{ "inb 0x80", fz_i_inb, VEC_GP, 0, 0, 0x80, 0 },
		{ "outb 0x80", fz_i_outb, VEC_GP, 0, 0, 0x80, 0 },
		{ "inl 0xf4", fz_i_inl, VEC_GP, 0, 0, GUEST_EXIT_PORT, 0 },
		{ "outl 0xf4", fz_i_outl, VEC_GP, 0, 1, GUEST_EXIT_PORT, 0 },
		{ "hlt", fz_i_hlt, VEC_GP, 0, 0, 0, 0 },
		{ "cli", fz_i_cli, VEC_GP, 0, 0, 0, 0 },
		{ "invd", fz_i_invd, VEC_GP, 0, 0, 0, 0 },
		{ "wbinvd", fz_i_wbinvd, VEC_GP, 0, 0, 0, 0 },
		{ "mov cr0", fz_i_mov_cr0, VEC_GP, 0, 0x31, 0, 0 },
		{ "lgdt", fz_i_lgdt, VEC_GP, 0, 0, 0, 0 },
		{ "ud2", fz_i_ud2, VEC_UD, 0, 0, 0, 0 },
		{ "vmcall ping", fz_i_vmcall, VEC_UD, 0, HC_PING, 0, 0 },
		{ "vmcall exit", fz_i_vmcall, VEC_UD, 0, HC_EXIT, 0, 0 },
		{ "xsetbv (osxsave)", fz_i_xsetbv, VEC_GP, 0, 1, 0, CR4_OSXSAVE },
		{ "xsetbv", fz_i_xsetbv, VEC_UD, 0, 1, 0, 0 },
	};
	const struct user_case *c = &cases[rnd(ARRAY_SIZE(cases))];
	struct fz_regs r = random_regs(), before;
	u32 v;

	if (c->cr4 == CR4_OSXSAVE && !has_xsave)
		c = &cases[0];
	r.ecx = c->ecx;
	r.eax = c->eax;
	r.edx = c->edx;
	/* EBX = 0 for a VMCALL that a hypervisor would (wrongly) take as HC_EXIT with status 0. */
	r.ebx = 0;
	if (c->cr4)
		cr_write(fz_i_mov_cr4, c->cr4);
	before = r;
	v = fz_run_user(c->fn, &r);
	op_desc("cpl3 %s", c->name);
	op_outcome(v);
	if (c->want == FZ_OK && v == FZ_OK)
		;
	else
		expect_vector(v, c->want);
	if (v != FZ_OK)
		check_untouched(&before, &r, 0);
	restore_state();
	return faulted(v);
}

/* ---- vmx ---- */

static bool op_vmx(void)
{
	const struct {
		const char *name;
		snippet_fn *fn;
	} insns[] = {
		{ "vmxon", fz_i_vmxon },       { "vmxoff", fz_i_vmxoff },
		{ "vmclear", fz_i_vmclear },   { "vmptrld", fz_i_vmptrld },
		{ "vmptrst", fz_i_vmptrst },   { "vmread", fz_i_vmread },
		{ "vmwrite", fz_i_vmwrite },   { "vmlaunch", fz_i_vmlaunch },
		{ "vmresume", fz_i_vmresume }, { "invept", fz_i_invept },
		{ "invvpid", fz_i_invvpid },   { "vmfunc", fz_i_vmfunc },
		{ "vmcall", fz_i_vmcall },
	};
	u32 i = rnd(ARRAY_SIZE(insns));
	struct fz_regs r = random_regs(), before;
	u32 nr = rnd(2) ? HC_PING : 4 + rnd(100);
	u32 v;

	r.eax = insns[i].fn == fz_i_vmcall ? nr : rnd(2);
	r.ebx = 0;
	before = r;
	v = fz_run(insns[i].fn, &r);
	op_desc("%s", insns[i].name);
	if (insns[i].fn == fz_i_vmcall)
		op_desc(" nr %u", nr);
	op_outcome(v);
	if (insns[i].fn == fz_i_vmcall && v == FZ_OK) {
		/* Under pmuvisor a CPL0 VMCALL is a hypercall: PING answers, others return HC_ERROR. */
		op_result(" eax %x", r.eax);
		if (r.eax != (nr == HC_PING ? HC_PING_MAGIC : HC_ERROR))
			implausible("hypercall %u returned 0x%x", nr, r.eax);
	} else {
		/* CR4.VMXE is clear: every VMX instruction #UDs (SDM Vol. 3C, "VMX Instruction Reference"). */
		expect_vector(v, VEC_UD);
		check_untouched(&before, &r, 0);
	}
	return faulted(v);
}

/* ---- cache ---- */

static bool op_cache(void)
{
	bool invd = rnd(2);
	struct fz_regs r = random_regs(), before = r;
	u32 v = fz_run(invd ? fz_i_invd : fz_i_wbinvd, &r);

	op_desc("%s", invd ? "invd" : "wbinvd");
	op_outcome(v);
	expect_vector(v, FZ_OK);
	check_untouched(&before, &r, 0);
	return faulted(v);
}

/* ---- step ---- */

#define STEP(name)                     \
	extern void fz_s_##name(void); \
	extern void fz_step_end_##name(void)
STEP(cpuid);
STEP(rdmsr);
STEP(wrmsr);
STEP(inb);
STEP(outb);
STEP(nop);
STEP(wbinvd);

static bool op_step(void)
{
	const struct {
		const char *name;
		snippet_fn *fn, *end;
		u32 eax, ecx, edx;
	} cases[] = {
		{ "cpuid", fz_s_cpuid, fz_step_end_cpuid, 0, 0, 0 },
		{ "rdmsr efer", fz_s_rdmsr, fz_step_end_rdmsr, 0, MSR_EFER, 0 },
		{ "rdmsr apic_base", fz_s_rdmsr, fz_step_end_rdmsr, 0, MSR_APIC_BASE, 0 },
		{ "wrmsr efer", fz_s_wrmsr, fz_step_end_wrmsr, (u32)sane_efer, MSR_EFER,
		  (u32)(sane_efer >> 32) },
		{ "inb 0x80", fz_s_inb, fz_step_end_inb, 0, 0, 0x80 },
		{ "inb 0xf4", fz_s_inb, fz_step_end_inb, 0, 0, GUEST_EXIT_PORT },
		{ "outb 0x80", fz_s_outb, fz_step_end_outb, 0, 0, 0x80 },
		{ "nop", fz_s_nop, fz_step_end_nop, 0, 0, 0 },
		{ "wbinvd", fz_s_wbinvd, fz_step_end_wbinvd, 0, 0, 0 },
	};
	u32 i = rnd(ARRAY_SIZE(cases));
	struct fz_regs r = random_regs();
	u32 v, count;

	r.eax = cases[i].eax;
	r.ecx = cases[i].ecx;
	r.edx = cases[i].edx;
	fz_step_count = 0;
	fz_step_eip = 0;
	fz_step_armed = true;
	v = fz_run(cases[i].fn, &r);
	fz_step_armed = false;
	count = fz_step_count;
	op_desc("tf over %s", cases[i].name);
	op_outcome(v);
	op_result(", %u #DB", count);
	if (v != FZ_OK)
		implausible("the stepped instruction faulted");
	else if (count != 1 || fz_step_eip != (u32)(uintptr_t)cases[i].end)
		implausible("%u single-step #DB (want 1), last at 0x%x (want 0x%x)", count,
			    fz_step_eip, (u32)(uintptr_t)cases[i].end);
	return faulted(v);
}

/* ---- task ---- */

static bool op_task(void)
{
	bool busy = rnd(4) == 0;
	struct fz_regs r = random_regs(), before;
	u32 runs = fz_task_b_runs, v;

	fz_reset_tss_b();
	before = r;
	v = fz_run(busy ? fz_i_ljmp_tss_a : fz_i_ljmp_tss_b, &r);
	cr_write(fz_i_clts, 0); /* the task switch set CR0.TS */
	op_desc("ljmp tss %s", busy ? "a (busy, our own)" : "b");
	op_outcome(v);
	if (busy) {
		/* A jump to a busy TSS: #GP with the selector (SDM Vol. 3A, "Task Switching"). */
		/* Bochs 2.7 reports error code 0 here. */
		if (v != VEC_GP || (fz_error != GUEST_TSS_A && fz_error != 0))
			implausible("want #GP(0x%x)", GUEST_TSS_A);
	} else {
		op_result(", task b ran %u times", fz_task_b_runs - runs);
		if (v != FZ_OK || fz_task_b_runs != runs + 1)
			implausible("task b did not run exactly once");
		check_untouched(&before, &r, 0);
	}
	return faulted(v);
}

/* ---- hlt ---- */

#define APIC_SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define SPIN_LIMIT 1000000

static bool op_hlt(void)
{
	bool pending = rnd(2);
	u32 count = 1 + rnd(pending ? 100 : 20000);
	u32 before = fz_timer_count, v;
	struct fz_regs r = random_regs();

	*xapic(XAPIC_SVR) = APIC_SVR_ENABLE | VEC_SPURIOUS;
	*xapic(XAPIC_TPR) = 0;
	*xapic(XAPIC_TIMER_DIV) = 0xb; /* divide by 1 */
	*xapic(XAPIC_LVT_TIMER) = VEC_TIMER;
	*xapic(XAPIC_TIMER_INIT) = count;
	if (pending) /* the interrupt is pending (IF=0) before STI; HLT */
		for (u32 i = 0; i < SPIN_LIMIT && *xapic(XAPIC_TIMER_CUR); i++)
			;
	v = fz_run(fz_i_sti_hlt_cli, &r);
	*xapic(XAPIC_LVT_TIMER) = LVT_MASKED | VEC_TIMER;
	op_desc("sti; hlt with the timer %s", pending ? "already expired" : "running");
	op_outcome(v);
	op_result(", %u timer interrupts", fz_timer_count - before);
	if (v != FZ_OK || fz_timer_count != before + 1)
		implausible("want ok and one timer interrupt");
	return faulted(v);
}

/* ---- nmi, init ---- */

#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_ASSERT (1u << 14)

static bool op_nmi(void)
{
	u32 before = fz_nmi_count;

	/* The "self" shorthand is valid with fixed delivery only: name our own APIC ID. */
	*xapic(XAPIC_ICR_HIGH) = *xapic(XAPIC_ID) & 0xff000000u;
	*xapic(XAPIC_ICR_LOW) = ICR_NMI | ICR_ASSERT;
	for (u32 i = 0; i < SPIN_LIMIT && fz_nmi_count == before; i++)
		;
	op_desc("NMI to our own APIC ID through the xAPIC ICR");
	op_result("%u NMIs", fz_nmi_count - before);
	if (fz_nmi_count != before + 1)
		implausible("want exactly one NMI");
	return false;
}

static bool op_init(void)
{
	u32 id = *xapic(XAPIC_ID);

	/* Natively an INIT resets the processor into the BIOS: only meaningful under a hypervisor. */
	if (!under_hypervisor()) {
		op_desc("skipped: no hypervisor");
		return false;
	}
	guest_flush();
	*xapic(XAPIC_ICR_HIGH) = id & 0xff000000u;
	*xapic(XAPIC_ICR_LOW) = ICR_INIT | ICR_ASSERT;
	for (u32 i = 0; i < SPIN_LIMIT; i++)
		asm volatile("pause");
	op_desc("INIT to our own APIC");
	op_result("still running");
	return false;
}

/* ---- highmem ---- */

static bool op_highmem(void)
{
	u32 page = rnd(2048); /* 2 MiB pages from 4 GiB up to 8 GiB */
	u32 offset = rnd(0x200000) & ~3u;
	bool write = rnd(2);
	u64 phys = 0x100000000ULL + (u64)page * 0x200000 + offset;
	struct fz_regs r = random_regs();
	u32 v;

	pd_pae[3][0] = (0x100000000ULL + (u64)page * 0x200000) | PTE_P_RW_US_PS;
	enable_paging_structures(true);
	cr_write(fz_i_mov_cr0, sane_cr0 | CR0_PG);
	r.esi = HIGH_WINDOW + offset;
	v = fz_run(fz_i_read32, &r);
	op_desc("%s 0x%llx", write ? "read+write" : "read", (unsigned long long)phys);
	op_outcome(v);
	if (v == FZ_OK) {
		op_result(" %x", r.eax);
		if (write) {
			v = fz_run(fz_i_write32, &r);
			op_result(", write ");
			op_outcome(v);
		}
	}
	restore_state();
	pd_pae[3][0] = (u64)3 * 512 << 21 | PTE_P_RW_US_PS;
	if (v != FZ_OK)
		implausible("access above 4 GiB faulted");
	return faulted(v);
}

/* ---- the table ---- */

const struct op_kind op_kinds[] = {
	{ "cpuid", op_cpuid, false },	{ "cpuid-hv", op_cpuid_hv, true },
	{ "msr", op_msr, false },	{ "msr-hv", op_msr_hv, true },
	{ "x2apic", op_x2apic, false }, { "pmu", op_pmu, false },
	{ "io", op_io, false },		{ "io-hv", op_io_hv, true },
	{ "strio", op_strio, false },	{ "cr", op_cr, false },
	{ "cr-hv", op_cr_hv, true },	{ "xsetbv", op_xsetbv, false },
	{ "ring3", op_ring3, false },	{ "vmx", op_vmx, true },
	{ "cache", op_cache, false },	{ "step", op_step, false },
	{ "task", op_task, false },	{ "hlt", op_hlt, false },
	{ "nmi", op_nmi, false },	{ "highmem", op_highmem, false },
	{ "init", op_init, true },
};
const u32 op_kind_count = ARRAY_SIZE(op_kinds);
/* All but init (resets the processor natively, stops the run under a hypervisor). */
const u64 op_kinds_default = ((1ULL << ARRAY_SIZE(op_kinds)) - 1) & ~(1ULL << 20);
