/*
 * What each application processor needs of its own before it starts
 * (hv/cpu/smp.c starts them): a stack, a GDT and TSS, and an interrupt
 * stack for each of NMI, #DF and #MC. One slot per processor, in memory
 * from the frame pool, so the number of processors is bounded by the
 * MADT and AP_MAX, not by the 8-bit xAPIC ID.
 */
#include "hv/boot/acpi.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "hv/cpu/ap.h"
#include "arch/x86/ap_boot.h"
#include "arch/x86/cr.h"
#include "arch/x86/desc.h"
#include "arch/x86/frame.h"
#include "arch/x86/lapic.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"

/* Without a MADT to count them, room for this many. */
#define AP_SLOTS_WITHOUT_MADT 64

struct ap_slot ap_slots[AP_MAX];
volatile u32 ap_nr_slots;

static u8 *alloc_frame(u32 index)
{
	u64 frame = frame_alloc_zeroed();

	if (!frame)
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for application processor %u", index);
	return phys_to_virt(frame);
}

static u64 alloc_stack_top(u32 index)
{
	return (u64)(uintptr_t)(alloc_frame(index) + PAGE_SIZE);
}

void ap_prepare_slot(u32 index)
{
	struct ap_slot *slot = &ap_slots[index];
	u64 ist_top[NR_IST_STACKS];

	slot->desc = (struct cpu_desc *)alloc_frame(index);
	slot->stack_top = alloc_stack_top(index);
	for (int i = 0; i < NR_IST_STACKS; i++)
		ist_top[i] = alloc_stack_top(index);
	cpu_desc_build(slot->desc, ist_top);
}

/*
 * An AP's own GDT and TSS, so that an NMI (one the platform broadcasts, a
 * stray PMI) or a #DF finds its interrupt stack instead of shutting the
 * machine down; CR4.MCE, 0 after INIT (SDM Vol. 3A, "Initialization
 * Overview"), so that a machine check raises #MC and is reported.
 */
void ap_setup_cpu(u32 index)
{
	cpu_desc_load(ap_slots[index].desc);
	write_cr4(read_cr4() | X86_CR4_MCE);
}

/*
 * One slot per processor the MADT lists, not counting this one: a
 * broadcast STARTUP IPI reaches every processor, whatever its APIC ID.
 */
u32 ap_slots_needed(const struct boot_info *boot)
{
	u32 max_id;
	int cpus = acpi_count_processors(boot->rsdp, boot->rsdp_len, &max_id);

	if (cpus < 0) {
		pr_warn("smp: no MADT; room for %d application processors", AP_SLOTS_WITHOUT_MADT);
		return AP_SLOTS_WITHOUT_MADT;
	}
	if (cpus - 1 > AP_MAX)
		hv_fail(HV_STATUS_UNSUPPORTED,
			"the MADT lists %d processors; at most %d are supported", cpus, AP_MAX + 1);
	/* The 8-bit xAPIC ID cannot name them: SDM Vol. 3A, "x2APIC Initialization". */
	if (max_id > 0xfe && !(rdmsr(MSR_IA32_APICBASE) & APICBASE_X2APIC))
		pr_warn("smp: APIC IDs up to %u but the local APIC is in xAPIC mode", max_id);
	return cpus > 1 ? (u32)cpus - 1 : 0;
}
