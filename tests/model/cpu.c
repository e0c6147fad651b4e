/*
 * What the model does not model, for the code that links against it:
 * control registers read back as a test set them, the descriptor tables a
 * processor loaded (recorded, not used), and the pieces of VM
 * launch and of the descriptor tables that only hv/cpu/vcpu.c's
 * vcpu_create() and the run's VM entry (hv/run/runs.c) use. The unit tests drive exits through
 * vmexit_handler() instead (model.h, the VM exit), so calling any of those
 * ends the test. The probe VM's round trip (arch/x86/vmx_probe.h) is a
 * model VM entry and exit.
 */
#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/cr.h"
#include "arch/x86/desc.h"
#include "arch/x86/vmx_entry.h"
#include "arch/x86/vmx_probe.h"
#include "tests/model/vmcs_model.h"

static u64 cr[5];
const struct cpu_desc *model_cpu_loaded_desc;

void model_cpu_reset(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cr); i++)
		cr[i] = 0;
	model_cpu_loaded_desc = NULL;
}

void cpu_desc_load(const struct cpu_desc *d)
{
	model_cpu_loaded_desc = d;
}

u64 read_cr0(void)
{
	return cr[0];
}

u64 read_cr2(void)
{
	return cr[2];
}

u64 read_cr3(void)
{
	return cr[3];
}

u64 read_cr4(void)
{
	return cr[4];
}

void write_cr0(u64 v)
{
	cr[0] = v;
}

void write_cr2(u64 v)
{
	cr[2] = v;
}

void write_cr4(u64 v)
{
	cr[4] = v;
}

#define NOT_MODELLED(what) unit_abort(__FILE__, __LINE__, "model: %s is not modelled", what)

u64 gdt_base(void)
{
	NOT_MODELLED("the GDT");
}

u64 idt_base(void)
{
	NOT_MODELLED("the IDT");
}

u64 tss_base(void)
{
	NOT_MODELLED("the TSS");
}

/* Only its address is taken (HOST_RIP). */
char vmx_exit_entry[1];

void vmx_launch_guest(void)
{
	NOT_MODELLED("VMLAUNCH");
}

/* The probe VM (hv/cpu/probe.c): a VM entry and a VMCALL exit, as the VMCS says, in no time. */
u64 vmx_probe_roundtrip(int launch)
{
	(void)launch;
	model_vm_entry();
	model_vm_exit();
	vmwrite_safe(VM_EXIT_REASON, EXIT_REASON_VMCALL);
	return 0;
}
