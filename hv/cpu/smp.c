/*
 * Keeping the other processors out of the guest. After GRUB the
 * application processors wait for a STARTUP IPI; a guest that broadcasts
 * INIT/SIPI (kvm-unit-tests does) would start them running guest code
 * outside VMX. So the hypervisor starts them first, puts each into VMX
 * root operation and halts it there: INIT is blocked in VMX root
 * operation and a STARTUP IPI is ignored outside wait-for-SIPI (Intel SDM
 * Vol. 3C, "Relationship between VMX operation and INIT/SIPI"). The
 * guest's IPIs then reach nobody.
 */
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "hv/cpu/vcpu.h"
#include "hv/cpu/smp.h"
#include "hv/cpu/ap.h"
#include "hv/cpu/vmx_enable.h"
#include "arch/x86/ap_boot.h"
#include "arch/x86/cr.h"
#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"
#include "lib/string.h"

/* TSC ticks: INIT-to-STARTUP delay, and how long to wait for one more AP. */
#define INIT_DELAY_TSC (1ULL << 23)
#define STARTUP_DELAY_TSC (1ULL << 20)
#define SETTLE_TSC (1ULL << 24)

static volatile u32 aps_parked, aps_failed;

void ap_main(u32 index)
{
	ap_setup_cpu(index);
	if (vmx_enter_root_ap() == VMX_OK)
		__atomic_add_fetch(&aps_parked, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_add_fetch(&aps_failed, 1, __ATOMIC_SEQ_CST);
	/* An NMI wakes it; the handler counts it (hv/exit/nmi.c) and it halts again. */
	cpu_halt_forever();
}

static void delay_tsc(u64 ticks)
{
	u64 end = rdtsc() + ticks;
	while (rdtsc() < end)
		asm volatile("pause");
}

static void install_trampoline(void)
{
	size_t size = (size_t)(ap_trampoline_end - ap_trampoline_start);
	u8 *page = phys_to_virt(AP_TRAMPOLINE_BASE);
	u64 cr3 = read_cr3(), entry = virt_to_phys(ap_entry64);

	memcpy(page, ap_trampoline_start, size);
	memcpy(page + (ap_trampoline_cr3 - ap_trampoline_start), &cr3, 8);
	memcpy(page + (ap_trampoline_entry - ap_trampoline_start), &entry, 8);
}

/* Wait until no further AP has arrived for SETTLE_TSC ticks. */
static u32 wait_for_aps(void)
{
	u32 seen = 0;
	u64 quiet_since = rdtsc();

	while (rdtsc() - quiet_since < SETTLE_TSC) {
		u32 now = aps_parked + aps_failed;
		if (now != seen) {
			seen = now;
			quiet_since = rdtsc();
		}
		asm volatile("pause");
	}
	return seen;
}

/* The trampoline page must not hold anything the loader left for us. */
static void check_trampoline_page(const struct boot_info *boot)
{
	u64 s = AP_TRAMPOLINE_BASE, e = s + PAGE_SIZE;

	if (boot->info_start < e && s < boot->info_end)
		hv_fail(HV_STATUS_BAD_INPUT,
			"boot information overlaps the AP trampoline page 0x%x",
			AP_TRAMPOLINE_BASE);
	for (int i = 0; i < boot->nr_modules; i++)
		if (boot->modules[i].start < e && s < boot->modules[i].end)
			hv_fail(HV_STATUS_BAD_INPUT,
				"module %d overlaps the AP trampoline page 0x%x", i,
				AP_TRAMPOLINE_BASE);
}

void smp_park_application_processors(const struct boot_info *boot)
{
	u64 apic_base = rdmsr(MSR_IA32_APICBASE);
	u32 started, slots;

	check_trampoline_page(boot);
	if (!(apic_base & APICBASE_ENABLE)) {
		pr_warn("local APIC disabled: other processors, if any, are not parked");
		return;
	}
	slots = ap_slots_needed(boot);
	for (u32 i = 0; i < slots; i++)
		ap_prepare_slot(i);
	ap_nr_slots = slots;
	install_trampoline();
	lapic_broadcast_ipi(ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
	delay_tsc(INIT_DELAY_TSC);
	for (int i = 0; i < 2; i++) {
		lapic_broadcast_ipi(ICR_DELIVERY_STARTUP | (AP_TRAMPOLINE_BASE >> 12));
		delay_tsc(STARTUP_DELAY_TSC);
	}
	started = wait_for_aps();
	/* It held the host CR3 and a hypervisor entry point, in memory the guest owns. */
	memset(phys_to_virt(AP_TRAMPOLINE_BASE), 0, PAGE_SIZE);
	if (aps_failed)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"%u of %u application processors could not enter VMX root operation; "
			"a guest INIT/SIPI could start them outside VMX",
			aps_failed, started);
	if (ap_next_index > slots)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"%u application processors started, room for %u: the others halt outside "
			"VMX",
			ap_next_index, slots);
	pr_info("smp: %u application processor%s parked in VMX root operation (INIT blocked)",
		aps_parked, aps_parked == 1 ? "" : "s");
}
