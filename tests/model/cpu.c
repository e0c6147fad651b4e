/*
 * What the model does not model, for the code that links against it:
 * control registers read back as a test set them, and the pieces of VM
 * launch and of the descriptor tables that only hv/cpu/vcpu.c's
 * vcpu_create() and vcpu_run() use. The unit tests drive exits through
 * vmexit_handler() instead (model.h, the VM exit), so calling any of those
 * ends the test.
 */
#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/cr.h"
#include "arch/x86/desc.h"
#include "arch/x86/vmx_entry.h"

static u64 cr[5];

void model_cpu_reset(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cr); i++)
		cr[i] = 0;
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

/* Declared by its only caller, hv/bench_primitives.c. */
u64 vmx_probe_roundtrip(int launch);

u64 vmx_probe_roundtrip(int launch)
{
	(void)launch;
	NOT_MODELLED("the VM round trip of bench_primitives=1");
}
