/*
 * smp-start: tries to start the other processors the way an OS (or
 * kvm-unit-tests) does: INIT, then two STARTUP IPIs to all but itself, at a
 * real-mode trampoline that stamps a marker. Under pmuvisor no other
 * processor may ever run guest code, so the marker must stay untouched.
 * Natively, on a machine with more than one CPU (qemu -smp 2), the other
 * CPU does run it and the check fails: that shows the test can fail.
 */
#include "guests/lib/guest.h"
#include "hv/base/hypercall.h"
#include "lib/string.h"
#include "guests/smp-start/trampoline.h"

/* Local APIC, SDM Vol. 3A, "Advanced Programmable Interrupt Controller (APIC)". */
#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_X2APIC (1u << 10)	/* x2APIC mode: registers are MSRs, MMIO is off */
#define APIC_BASE_ADDR_MASK 0xfffff000u /* 35:12, and we only reach 4 GiB */
#define XAPIC_DEFAULT_BASE 0xfee00000u
#define XAPIC_ID 0x20	    /* ID in 31:24 */
#define XAPIC_ICR_LOW 0x300 /* a write here sends the IPI */
#define XAPIC_ICR_HIGH 0x310
#define MSR_X2APIC_ID 0x802
#define MSR_X2APIC_ICR 0x830

#define ICR_DELIVERY_INIT (5u << 8)    /* 10:8 */
#define ICR_DELIVERY_STARTUP (6u << 8) /* 10:8 */
#define ICR_SEND_PENDING (1u << 12)    /* xAPIC only */
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_ALL_EXCLUDING_SELF (3u << 18) /* shorthand 19:18 */

#define POST_PORT 0x80	      /* writes take about 1 us on PC hardware; not intercepted */
#define INIT_DELAY_US 10000   /* MP spec: 10 ms after INIT */
#define STARTUP_DELAY_US 200  /* and 200 us after each STARTUP */
#define MARKER_POLLS 10000000 /* how long to wait for a started processor */
#define ICR_IDLE_POLLS 100000

const char guest_name[] = "smp-start";

struct lapic {
	bool x2apic;
	u32 mmio; /* xAPIC register base */
};

extern const u8 smp_trampoline_start[], smp_trampoline_end[];

static volatile u32 *const marker = (volatile u32 *)(TRAMPOLINE_BASE + MARKER_OFFSET);
static volatile u32 *const ap_count = (volatile u32 *)(TRAMPOLINE_BASE + AP_COUNT_OFFSET);

static volatile u32 *xapic_reg(const struct lapic *apic, u32 reg)
{
	return (volatile u32 *)(uintptr_t)(apic->mmio + reg);
}

static struct lapic lapic_probe(void)
{
	u64 base;

	/* Without the MSR (or where it #GPs), assume the architectural default. */
	if (!rdmsr_safe(MSR_IA32_APIC_BASE, &base))
		return (struct lapic){ false, XAPIC_DEFAULT_BASE };
	return (struct lapic){ (base & APIC_BASE_X2APIC) != 0, (u32)base & APIC_BASE_ADDR_MASK };
}

static u32 lapic_id(const struct lapic *apic)
{
	if (apic->x2apic)
		return (u32)rdmsr(MSR_X2APIC_ID);
	return *xapic_reg(apic, XAPIC_ID) >> 24;
}

static void io_delay_us(u32 us)
{
	while (us--)
		outb(POST_PORT, 0);
}

static void send_ipi_all_but_self(const struct lapic *apic, u32 icr)
{
	icr |= ICR_ALL_EXCLUDING_SELF;
	if (apic->x2apic) {
		wrmsr(MSR_X2APIC_ICR, icr);
		return;
	}
	*xapic_reg(apic, XAPIC_ICR_HIGH) = 0; /* destination: unused with a shorthand */
	*xapic_reg(apic, XAPIC_ICR_LOW) = icr;
	for (int i = 0; i < ICR_IDLE_POLLS && (*xapic_reg(apic, XAPIC_ICR_LOW) & ICR_SEND_PENDING);
	     i++)
		asm volatile("pause");
}

static void start_others(const struct lapic *apic)
{
	u32 vector = TRAMPOLINE_BASE >> 12;

	send_ipi_all_but_self(apic, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
	io_delay_us(INIT_DELAY_US);
	for (int i = 0; i < 2; i++) {
		send_ipi_all_but_self(apic, ICR_DELIVERY_STARTUP | vector);
		io_delay_us(STARTUP_DELAY_US);
	}
}

static u32 wait_for_marker(void)
{
	u32 polls = 0;

	while (polls < MARKER_POLLS && *marker != MARKER_VALUE) {
		asm volatile("pause");
		polls++;
	}
	return polls;
}

static bool under_pmuvisor(void)
{
	struct cpuid_regs r = cpuid(0x40000000, 0);
	char sig[12];

	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	return !memcmp(sig, HV_CPUID_SIGNATURE, sizeof(sig));
}

int guest_main(const char *cmdline)
{
	struct lapic apic = lapic_probe();
	u32 polls;

	(void)cmdline;
	guest_printf("smp-start: under pmuvisor: %s; local APIC ID %u, %s\n",
		     under_pmuvisor() ? "yes" : "no", lapic_id(&apic),
		     apic.x2apic ? "x2APIC mode" : "xAPIC mode");
	memcpy((void *)TRAMPOLINE_BASE, smp_trampoline_start,
	       (size_t)(smp_trampoline_end - smp_trampoline_start));
	*marker = 0;
	*ap_count = 0;
	guest_printf("smp-start: trampoline at 0x%x (STARTUP vector 0x%x), marker at 0x%x\n",
		     TRAMPOLINE_BASE, TRAMPOLINE_BASE >> 12, TRAMPOLINE_BASE + MARKER_OFFSET);
	start_others(&apic);
	guest_printf("smp-start: sent INIT and two STARTUP IPIs to all processors but this one\n");
	polls = wait_for_marker();
	guest_printf(
		"smp-start: after %u polls: marker 0x%08x, %u processor(s) ran the trampoline\n",
		polls, *marker, *ap_count);
	if (!CHECK(*marker != MARKER_VALUE,
		   "no other processor ran guest code after INIT/SIPI (marker 0x%08x)", *marker))
		guest_printf("smp-start: another processor started: expected natively on a machine "
			     "with more than one CPU, a bug under pmuvisor\n");
	guest_finish();
}
