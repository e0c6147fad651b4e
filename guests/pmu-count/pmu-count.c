/*
 * pmu-count: tests the counting PMU itself, booted by GRUB without the
 * hypervisor (Bochs with the counting PMU of docs/bochs-pmu.md, or a real
 * CPU where the counts are not exact and checks fail). Everything it
 * expects comes from CPUID 0AH and IA32_PERF_CAPABILITIES: how many
 * counters, which fixed ones (the PerfMon v5 bitmap), their widths. That
 * PMU is exact (no skid, one count per retired instruction, cycles equal
 * instructions), so each check states the exact value it expects:
 *
 *   counting.c  counts of windows of known length on every counter,
 *               per event, per ring (OS/USR), the enable gates, and of
 *               a REP STOSB, a faulting UD2 and every kind of branch;
 *   msrs.c      the state RESET leaves, what the MSRs accept, refuse
 *               (#GP) and read back;
 *   overflow.c  wrap-around, GLOBAL_STATUS and its RESET and SET MSRs;
 *   rdpmc.c     RDPMC against RDMSR, its faults, at CPL 3 and CR4.PCE;
 *   pmi.c       the PMI through the local APIC's LVTPC, fixed and NMI.
 *
 * Command line: loops=N, the iterations of each window's loop (default
 * 1000, 32 to 100000000); the word pmu-count and GRUB's path of the image
 * are passed over. Output: the PMU's shape, one "ok N - ..." line per
 * check, "N passed, M failed"; status 0 or 1.
 */
#include "guests/pmu-count/pmu-count.h"
#include "guests/lib/desc.h"
#include "lib/string.h"

#define CPUID_1_ECX_PDCM (1u << 15)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_LEAF_PMU 0xa
#define LOOPS_DEFAULT 1000
#define LOOPS_MIN 32 /* the PMI checks place overflows up to instruction 64 of a window */
#define LOOPS_MAX 100000000
#define NR_VECTORS 256
#define NR_EXCEPTIONS 32
#define IDT_GATE_INTERRUPT32 0x8e      /* present, DPL 0, 32-bit interrupt gate */
#define IDT_GATE_INTERRUPT32_USER 0xee /* the same with DPL 3: INT n from CPL 3 */
#define RING0_STACK_SIZE 8192
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

const char guest_name[] = "pmu-count";

struct pmu_shape pmu;
u32 loops = LOOPS_DEFAULT;

/* ---- the PMU's shape ---- */

/* Intel SDM Vol. 2A, CPUID leaf 0AH, "Architectural Performance Monitoring Leaf". */
static void read_shape(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_PMU, 0);
	u32 contiguous = r.edx & 0x1f;

	pmu.version = r.eax & 0xff;
	pmu.nr_gp = (r.eax >> 8) & 0xff;
	pmu.gp_width = (r.eax >> 16) & 0xff;
	pmu.events_len = r.eax >> 24;
	pmu.events_unavailable = r.ebx;
	/* Fixed counters from PerfMon v2; v5 adds the bitmap, which may name counters past EDX[4:0]. */
	if (pmu.version >= 2) {
		pmu.fixed_mask = contiguous >= 32 ? ~0u : (1u << contiguous) - 1;
		pmu.fixed_width = (r.edx >> 5) & 0xff;
	}
	if (pmu.version >= 5)
		pmu.fixed_mask |= r.ecx;
	pmu.pdcm = cpuid(1, 0).ecx & CPUID_1_ECX_PDCM;
	pmu.hypervisor = cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR;
	if (pmu.pdcm && rdmsr_safe(MSR_IA32_PERF_CAPABILITIES, &pmu.perf_caps))
		pmu.full_width = pmu.perf_caps & PERF_CAP_FW_WRITE;
}

static void print_shape(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_PMU, 0);

	guest_printf("pmu-count: CPUID 0AH: EAX 0x%08x EBX 0x%08x ECX 0x%08x EDX 0x%08x\n", r.eax,
		     r.ebx, r.ecx, r.edx);
	guest_printf("pmu-count: PerfMon v%u: %u GP counters of %u bits, fixed counters 0x%x of "
		     "%u bits, %u architectural events (unavailable: 0x%x)\n",
		     pmu.version, pmu.nr_gp, pmu.gp_width, pmu.fixed_mask, pmu.fixed_width,
		     pmu.events_len, pmu.events_unavailable);
	if (pmu.pdcm)
		guest_printf("pmu-count: IA32_PERF_CAPABILITIES 0x%llx: %s\n",
			     (unsigned long long)pmu.perf_caps,
			     pmu.full_width ? "full-width writes (IA32_A_PMCx)"
					    : "no full-width writes");
	else
		guest_printf("pmu-count: no PDCM: no IA32_PERF_CAPABILITIES\n");
	guest_printf("pmu-count: windows of %u iterations: %u instructions, %u branches at CPL 0; "
		     "%u + %u at CPL 3 and 0\n",
		     loops, WINDOW_RING0_INSNS(loops), WINDOW_RING0_BRANCHES(loops),
		     WINDOW_RING3_INSNS_USR(loops), WINDOW_RING3_INSNS_OS);
}

/* What the checks rely on; without it they would only fail for want of a PMU. */
static bool shape_usable(void)
{
	bool ok;

	ok = CHECK(pmu.version >= 2 && pmu.nr_gp >= 1 && pmu.nr_gp <= MAX_GP && pmu.gp_width > 32 &&
			   pmu.gp_width < 64 && (pmu.fixed_mask & 1) && pmu.fixed_width > 32 &&
			   pmu.fixed_width < 64,
		   "CPUID 0AH describes an architectural PMU v2+ with 1..%u GP counters, fixed "
		   "counter 0 and widths of 33..63 bits",
		   MAX_GP);

	/* EBX bit set: event unavailable. Bits 0, 1, 5: core cycles, instructions, branches. */
	CHECK((pmu.events_unavailable & 0x23) == 0 && pmu.events_len >= 6,
	      "CPUID 0AH offers the events counted here: core cycles, instructions retired, "
	      "branches retired (EBX 0x%x, %u events)",
	      pmu.events_unavailable, pmu.events_len);
	return ok;
}

/* ---- counters and MSRs ---- */

bool fixed_exists(u32 j)
{
	return j < 32 && (pmu.fixed_mask & (1u << j));
}

bool fixed_counts(u32 j)
{
	return fixed_exists(j) && j < 3;
}

u64 width_mask(u32 width)
{
	return width >= 64 ? ~0ull : (1ull << width) - 1;
}

u64 gp_global_bits(void)
{
	return width_mask(pmu.nr_gp);
}

u64 fixed_global_bits(void)
{
	return (u64)pmu.fixed_mask << GLOBAL_FIXED_SHIFT;
}

u64 counter_global_bit(struct counter c)
{
	return 1ull << (c.fixed ? GLOBAL_FIXED_SHIFT + c.idx : c.idx);
}

u32 counter_width(struct counter c)
{
	return c.fixed ? pmu.fixed_width : pmu.gp_width;
}

u32 counter_rdpmc_index(struct counter c)
{
	return c.fixed ? RDPMC_FIXED | c.idx : c.idx;
}

u64 counter_read(struct counter c)
{
	return msr_get(c.fixed ? MSR_CORE_PERF_FIXED_CTR0 + c.idx : MSR_IA32_PMC0 + c.idx);
}

/* Fixed counters are full width; a GP counter without FW_WRITE takes bits 31:0, sign-extended. */
void counter_preset(struct counter c, u64 value)
{
	if (c.fixed)
		msr_set(MSR_CORE_PERF_FIXED_CTR0 + c.idx, value);
	else if (pmu.full_width)
		msr_set(MSR_IA32_PMC0_FW + c.idx, value);
	else
		msr_set(MSR_IA32_PMC0 + c.idx, (u32)value);
}

void counter_count_all(struct counter c, bool pmi)
{
	u64 ctrl;

	if (!c.fixed) {
		msr_set(MSR_P6_EVNTSEL0 + c.idx,
			ARCH_PERFMON_EVENTSEL_ENABLE | ARCH_PERFMON_EVENTSEL_OS |
				ARCH_PERFMON_EVENTSEL_USR | (pmi ? ARCH_PERFMON_EVENTSEL_INT : 0) |
				0xc0);
		return;
	}
	ctrl = msr_get(MSR_CORE_PERF_FIXED_CTR_CTRL);
	if (ctrl == MSR_FAULTED)
		ctrl = 0;
	ctrl &= ~(0xfull << (FIXED_CTR_CTRL_BITS * c.idx));
	ctrl |= (u64)(FIXED_CTR_CTRL_OS | FIXED_CTR_CTRL_USR | (pmi ? FIXED_CTR_CTRL_PMI : 0))
		<< (FIXED_CTR_CTRL_BITS * c.idx);
	msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, ctrl);
}

const char *counter_name(struct counter c)
{
	static const char *const gp[MAX_GP] = { "GP counter 0", "GP counter 1", "GP counter 2",
						"GP counter 3", "GP counter 4", "GP counter 5",
						"GP counter 6", "GP counter 7" };
	static const char *const fixed[MAX_FIXED] = { "fixed counter 0", "fixed counter 1",
						      "fixed counter 2", "fixed counter 3" };

	if (c.fixed)
		return c.idx < MAX_FIXED ? fixed[c.idx] : "fixed counter ?";
	return c.idx < MAX_GP ? gp[c.idx] : "GP counter ?";
}

u64 msr_get(u32 msr)
{
	u64 v;

	return rdmsr_safe(msr, &v) ? v : MSR_FAULTED;
}

bool msr_set(u32 msr, u64 value)
{
	return wrmsr_safe(msr, value);
}

bool write_gps(u32 msr, u64 value)
{
	guest_fault_vector = 0;
	return !wrmsr_safe(msr, value) && guest_fault_vector == VECTOR_GP;
}

bool read_gps(u32 msr)
{
	u64 v;

	guest_fault_vector = 0;
	return !rdmsr_safe(msr, &v) && guest_fault_vector == VECTOR_GP;
}

u64 global_status_valid_bits(void)
{
	return gp_global_bits() | fixed_global_bits() | 1ull << GLOBAL_STATUS_BUFFER_OVF_BIT |
	       1ull << GLOBAL_STATUS_COND_CHG_BIT;
}

void pmu_quiesce(void)
{
	msr_set(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, 0);
	for (u32 x = 0; x < pmu.nr_gp; x++) {
		msr_set(MSR_P6_EVNTSEL0 + x, 0);
		msr_set(MSR_IA32_PMC0 + x, 0);
	}
	for (u32 j = 0; j < 32; j++)
		if (fixed_exists(j))
			msr_set(MSR_CORE_PERF_FIXED_CTR0 + j, 0);
	msr_set(MSR_CORE_PERF_GLOBAL_OVF_CTRL, global_status_valid_bits());
}

void window_ring0(u32 msr, u64 on)
{
	pc_window(msr, (u32)on, (u32)(on >> 32), loops);
}

void window_ring3(u32 msr, u64 on)
{
	pc_user_window(msr, (u32)on, (u32)(on >> 32), loops);
}

/* ---- descriptors: our own IDT over the runtime's exception gates ---- */

struct idt_gate {
	u16 offset_low, selector;
	u8 zero, type;
	u16 offset_high;
} __attribute__((packed));

static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(8)));
static struct idt_gate runtime_idt[NR_EXCEPTIONS];
static struct tss32 tss;
static u8 ring0_stack[RING0_STACK_SIZE] __attribute__((aligned(16)));

static void set_gate(u32 vector, void (*handler)(void), u8 type)
{
	u32 a = (u32)(uintptr_t)handler;

	idt[vector] = (struct idt_gate){ (u16)a, GUEST_CS, 0, type, (u16)(a >> 16) };
}

void idt_set_exception(u32 vector, void (*handler)(void))
{
	set_gate(vector, handler, IDT_GATE_INTERRUPT32);
}

void idt_restore_exception(u32 vector)
{
	idt[vector] = runtime_idt[vector];
}

/*
 * The runtime's IDT has the exception gates (and their fixups, which the
 * _safe helpers and the RDPMC at CPL 3 rely on) but nothing from vector 32
 * on: copy its gates, add ours. The TSS gives INT 0x80 from CPL 3 its stack.
 */
static void descriptors_init(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr;

	asm volatile("sidt %0" : "=m"(idtr));
	memcpy(runtime_idt, (const void *)(uintptr_t)idtr.base,
	       MIN(sizeof(runtime_idt), (u32)idtr.limit + 1));
	memcpy(idt, runtime_idt, sizeof(runtime_idt));
	set_gate(PC_VECTOR_NMI, pc_nmi_stub, IDT_GATE_INTERRUPT32);
	set_gate(PC_VECTOR_PMI, pc_pmi_stub, IDT_GATE_INTERRUPT32);
	set_gate(PC_VECTOR_RING3_EXIT, pc_ring3_exit, IDT_GATE_INTERRUPT32_USER);
	set_gate(PC_VECTOR_SPURIOUS, pc_spurious_stub, IDT_GATE_INTERRUPT32);
	lidt(idt, sizeof(idt) - 1);
	gdt_load_with_tss(&tss, (u32)(uintptr_t)(ring0_stack + RING0_STACK_SIZE));
	/* The 8259s: every line masked, so that IF=1 lets in only the local APIC's PMI. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

/* ---- command line ---- */

static bool parse_u32(const char *s, size_t n, u32 *out)
{
	u64 v = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (u32)(s[i] - '0');
		if (v > 0xffffffffu)
			return false;
	}
	*out = (u32)v;
	return true;
}

static bool parse_cmdline(const char *s)
{
	for (size_t n; (n = guest_cmdline_word(&s)); s += n) {
		/* GRUB passes the image's path first when it boots us natively; module strings
		 * under the hypervisor start, by convention, with the guest's name. */
		if (s[0] == '/' || (n == strlen(guest_name) && !strncmp(s, guest_name, n)))
			continue;
		if (n > 6 && !strncmp(s, "loops=", 6) && parse_u32(s + 6, n - 6, &loops) &&
		    loops >= LOOPS_MIN && loops <= LOOPS_MAX)
			continue;
		guest_printf("pmu-count: error: bad argument '%.*s' (want loops=N, N from %u to "
			     "%u)\n",
			     (int)n, s, LOOPS_MIN, LOOPS_MAX);
		return false;
	}
	return true;
}

int guest_main(const char *cmdline)
{
	if (!parse_cmdline(cmdline))
		return GUEST_STATUS_FAIL;
	read_shape();
	print_shape();
	if (!shape_usable())
		guest_finish();
	check_reset_state();
	descriptors_init();
	pmu_quiesce();
	check_counting();
	check_msrs();
	check_overflow();
	check_rdpmc();
	check_pmi();
	pmu_quiesce();
	guest_finish();
}
