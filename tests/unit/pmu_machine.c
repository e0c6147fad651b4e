/* The PMU tests' machine: see pmu_machine.h. */
#include <stdio.h>
#include <string.h>

#include "tests/unit/pmu_machine.h"
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/frame.h"
#include "arch/x86/memmap.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/trapnr.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_entry.h"
#include "hv/exit/intercepts.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/stats.h"
#include "hv/exit/vmexit.h"
#include "hv/base/hypercall.h"
#include "hv/base/log.h"
#include "hv/run/options.h"
#include "hv/pmu/pmu.h"

/* Memory from 0 (the probe VM's stub sits below 1 MiB); the frame allocator gets 1 MiB and up. */
#define MEM_SIZE (17ULL << 20)
#define FRAMES_BASE 0x100000ULL
#define INSN_LEN 2 /* RDMSR, WRMSR, RDPMC, CPUID, OUT DX: two bytes */
#define GUEST_START_RIP 0x1000

static struct {
	const struct pmu_machine *m;
	char err[160];
	u64 exits;
} machine;

/* Why the run ended: the console from its last error or "guest stopped" line on. */
static const char *why_it_ended(void)
{
	const char *console = model_com1_output(), *p, *found = console;

	for (p = console; (p = strstr(p, "pmuvisor: ")); p++)
		if (!strncmp(p + 10, "error", 5) || !strncmp(p + 10, "guest stopped", 13))
			found = p;
	return found;
}

/*
 * A CPU that offers what the guest must not see (DS, DTES64, architectural
 * LBR, LBR format bits in PERF_CAPABILITIES) so that hiding it is tested.
 */
static void set_cpuid(const struct pmu_machine *m)
{
	bool ext_leaf = m->cpu && m->cpu->ext_leaf;
	bool hybrid = m->cpu && m->cpu->hybrid_pcore;

	model_cpuid_set(0, MODEL_ANY_SUBLEAF,
			(struct cpuid_regs){ ext_leaf ? CPUID_LEAF_PMU_EXT : 0x1f, 0, 0, 0 });
	model_cpuid_set(1, MODEL_ANY_SUBLEAF,
			(struct cpuid_regs){
				0x906ea, 0, CPUID_1_ECX_PDCM | CPUID_1_ECX_VMX | PMU_MACHINE_DTES64,
				PMU_MACHINE_DS });
	model_cpuid_set(7, 0,
			(struct cpuid_regs){ 0, 0, 0,
					     PMU_MACHINE_ARCH_LBR |
						     (hybrid ? CPUID_7_EDX_HYBRID : 0) });
	model_cpuid_set(0x1c, MODEL_ANY_SUBLEAF, (struct cpuid_regs){ 0x4f, 0x7, 0x7, 0 });
	if (!m->no_pmu)
		model_pmu_set_cpuid();
	if (!m->no_debugctl) {
		model_msr_set(MSR_IA32_DEBUGCTLMSR, 0);
		model_msr_set_reserved(MSR_IA32_DEBUGCTLMSR, m->debugctl_reserved);
	}
	model_msr_set(MSR_IA32_PERF_CAPABILITIES,
		      PMU_MACHINE_PERF_CAP_LBR_FORMAT |
			      ((m->cpu ? m->cpu->full_width_writes : m->full_width_writes)
				       ? PERF_CAP_FW_WRITE
				       : 0));
}

static void init_memory(void)
{
	struct mem_region ram = { FRAMES_BASE, MEM_SIZE - FRAMES_BASE, ADDRESS_RANGE_MEMORY };

	model_mem_map(0, MEM_SIZE, 0xa5);
	if (!frame_init(&ram, 1, NULL, 0))
		unit_abort(__FILE__, __LINE__, "machine: frame_init failed");
}

/*
 * The VMX capabilities the CPU reports: every control allowed but the
 * PERF_GLOBAL_CTRL ones the machine lacks, MSR lists of 512 entries, the
 * HLT activity state.
 */
static void set_vmx_caps(const struct pmu_machine *m)
{
	/* Allowed-1 settings in bits 63:32, none forced in 31:0 (SDM Vol. 3D, "VMX Capability Reporting Facility"). */
	const u64 all = 0xffffffff00000000ULL;
	u64 exit_allowed = all, entry_allowed = all;

	if (m->no_vmcs_global_ctrl) {
		exit_allowed &= ~((u64)(VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL |
					VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL)
				  << 32);
		entry_allowed &= ~((u64)VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL << 32);
	}
	if (m->no_save_global_ctrl)
		exit_allowed &= ~((u64)VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL << 32);
	model_msr_set(MSR_IA32_VMX_MISC, VMX_MISC_ACTIVITY_HLT);
	model_msr_set(MSR_IA32_VMX_PINBASED_CTLS, all);
	model_msr_set(MSR_IA32_VMX_TRUE_PINBASED_CTLS, all);
	model_msr_set(MSR_IA32_VMX_PROCBASED_CTLS, all);
	model_msr_set(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, all);
	model_msr_set(MSR_IA32_VMX_PROCBASED_CTLS2, all);
	model_msr_set(MSR_IA32_VMX_EXIT_CTLS, exit_allowed);
	model_msr_set(MSR_IA32_VMX_TRUE_EXIT_CTLS, exit_allowed);
	model_msr_set(MSR_IA32_VMX_ENTRY_CTLS, entry_allowed);
	model_msr_set(MSR_IA32_VMX_TRUE_ENTRY_CTLS, entry_allowed);
}

/* The vCPU's intercepts as the guest setup makes them, and what the exits read of the guest. */
static void setup_vcpu(const struct pmu_machine *m)
{
	struct intercept_caps caps;

	memset(&vcpu, 0, sizeof(vcpu));
	memset(&guest_regs, 0, sizeof(guest_regs));
	vcpu.regs = &guest_regs;
	/* A VMCS fresh from VMCLEAR reads 0 in every field; the model's only once written. */
	vmwrite(VM_EXIT_MSR_STORE_ADDR, 0);
	vmwrite(VM_EXIT_MSR_LOAD_ADDR, 0);
	vmwrite(VM_ENTRY_MSR_LOAD_ADDR, 0);
	set_vmx_caps(m);
	intercept_caps_read(&caps);
	intercepts_setup(&caps);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmwrite(GUEST_RIP, GUEST_START_RIP);
	vmwrite(HOST_RIP, virt_to_phys(vmx_exit_entry));
	vmwrite(HOST_RSP, 0);
	vmwrite(GUEST_RFLAGS, 0x2);
	/* 32-bit protected mode, paging off: what CPUID and CR exits read of the guest. */
	vmwrite(GUEST_CR4, 0);
	vmwrite(CR4_GUEST_HOST_MASK, 0);
	vmwrite(CR4_READ_SHADOW, 0);
	vmwrite(GUEST_IA32_EFER, 0);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(GUEST_IA32_DEBUGCTL, 0);
	vmwrite(GUEST_CS_AR_BYTES,
		0xc09b); /* the guest runs in ring 0, as the multiboot guests do */
	vmwrite(GUEST_SS_AR_BYTES, 0xc093);
	vmexit_prepare(); /* as the run does before VM entry */
}

static void boot(void *arg)
{
	const struct pmu_machine *m = arg;
	char cmdline[256];

	/* Exit statistics keep counts only: their sample memory would outlive the model's. */
	snprintf(cmdline, sizeof(cmdline), "stats=counts %s", m->hv_args ? m->hv_args : "");
	options_set_defaults(&hv_opts);
	if (!options_parse(cmdline, &hv_opts, machine.err, sizeof(machine.err)))
		hv_fail(3, "command line: %s", machine.err);
	log_set_level((enum log_level)hv_opts.loglevel);
	exit_stats_init();
	memset(&pmu, 0, sizeof(pmu)); /* a fresh boot: .bss */
	pmu_init();
	setup_vcpu(m);
}

int pmu_machine_boot(const struct pmu_machine *m)
{
	if (m->cpu)
		model_pmu_install_config(m->cpu);
	else if (!m->no_pmu)
		model_pmu_install(m->full_width_writes, m->has_status_set);
	model_tsc_set(1000, 10);
	set_cpuid(m);
	init_memory();
	machine.m = m;
	machine.exits = 0;
	if (model_expect_exit(boot, (void *)m))
		return (int)model_platform.exit_status;
	return -1;
}

void pmu_machine_launch(const struct pmu_machine *m)
{
	int status = pmu_machine_boot(m);

	if (status >= 0)
		unit_abort(__FILE__, __LINE__, "machine: '%s' ended the run with status %d: %s",
			   m->hv_args, status, why_it_ended());
	model_vm_entry();
}

u64 pmu_machine_exits(void)
{
	return machine.exits;
}

/* ---- one exit ---- */

/* The exit and entry paths' events, where the CPU has a PMU to count them. */
static void path_events(void)
{
	if (model_pmu_installed())
		model_pmu_run(MODEL_HOST, PMU_MACHINE_PATH_EVENTS);
}

void pmu_machine_zero_report_fields(void)
{
	static const enum vmcs_field zeroed[] = {
		GUEST_RSP,
		GUEST_CR0,
		GUEST_CR3,
		GUEST_CS_SELECTOR,
		GUEST_SS_SELECTOR,
		GUEST_TR_AR_BYTES,
		GUEST_ACTIVITY_STATE,
		VM_EXIT_INTR_INFO,
		VM_EXIT_INTR_ERROR_CODE,
		IDT_VECTORING_INFO_FIELD,
		IDT_VECTORING_ERROR_CODE,
		VMX_INSTRUCTION_INFO,
		GUEST_PHYSICAL_ADDRESS,
		GUEST_LINEAR_ADDRESS,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(zeroed); i++)
		vmwrite(zeroed[i], 0);
}

void pmu_machine_vm_exit(u32 reason, u64 qualification)
{
	model_vm_exit();
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0); /* the valid bit is cleared on every VM exit */
	path_events();
	vmwrite(VM_EXIT_REASON, reason);
	vmwrite(EXIT_QUALIFICATION, qualification);
	vmwrite(VM_EXIT_INSTRUCTION_LEN, INSN_LEN);
	machine.exits++;
}

static void handle(void *arg)
{
	(void)arg;
	vmexit_handler();
}

void pmu_machine_handle_exit(void)
{
	if (model_expect_exit(handle, NULL))
		unit_abort(__FILE__, __LINE__, "machine: the exit ended the run with status %u: %s",
			   model_platform.exit_status, why_it_ended());
}

int pmu_machine_vm_entry(void)
{
	u64 intr = vmread(VM_ENTRY_INTR_INFO_FIELD);

	path_events();
	model_vm_entry();
	return intr & INTR_INFO_VALID ? (int)(intr & 0xff) : -1;
}

static int exit_and_enter(u32 reason, u64 qualification)
{
	pmu_machine_vm_exit(reason, qualification);
	pmu_machine_handle_exit();
	return pmu_machine_vm_entry();
}

/* ---- the guest's instructions ---- */

bool guest_rdmsr(u32 msr, u64 *value)
{
	int vector;

	if (!model_msr_exits(msr, false))
		return model_guest_rdmsr(msr, value);
	guest_regs.rcx = msr;
	vector = exit_and_enter(EXIT_REASON_MSR_READ, 0);
	*value = (u32)guest_regs.rax | guest_regs.rdx << 32;
	return vector != X86_TRAP_GP;
}

bool guest_wrmsr(u32 msr, u64 value)
{
	if (!model_msr_exits(msr, true))
		return model_guest_wrmsr(msr, value);
	guest_regs.rcx = msr;
	guest_regs.rax = (u32)value;
	guest_regs.rdx = value >> 32;
	return exit_and_enter(EXIT_REASON_MSR_WRITE, 0) != X86_TRAP_GP;
}

bool guest_rdpmc(u32 ecx, u64 *value)
{
	int vector;

	if (!model_rdpmc_exits())
		return model_guest_rdpmc(ecx, value);
	guest_regs.rcx = ecx;
	guest_regs.rax = guest_regs.rdx = 0;
	vector = exit_and_enter(EXIT_REASON_RDPMC, 0);
	*value = (u32)guest_regs.rax | guest_regs.rdx << 32;
	return vector != X86_TRAP_GP;
}

struct cpuid_regs guest_cpuid(u32 leaf, u32 subleaf)
{
	guest_regs.rax = leaf;
	guest_regs.rcx = subleaf;
	exit_and_enter(EXIT_REASON_CPUID, 0);
	return (struct cpuid_regs){ (u32)guest_regs.rax, (u32)guest_regs.rbx, (u32)guest_regs.rcx,
				    (u32)guest_regs.rdx };
}

void guest_vmcall_ping(void)
{
	guest_regs.rax = HC_PING;
	exit_and_enter(EXIT_REASON_VMCALL, 0);
	CHECK_EQ_U64(guest_regs.rax, HC_PING_MAGIC);
}

/* OUT DX, AL to the test port: exit qualification size 1, out, port in 31:16. */
void guest_out_test_port(void)
{
	guest_regs.rax = 1;
	exit_and_enter(EXIT_REASON_IO_INSTRUCTION, (u64)HV_TEST_PORT << 16);
}

void guest_rdmsr_bench(void)
{
	u64 v;

	CHECK(guest_rdmsr(HV_BENCH_MSR, &v));
	CHECK_EQ_U64(v, HC_PING_MAGIC);
}

void guest_wrmsr_bench(void)
{
	CHECK(guest_wrmsr(HV_BENCH_MSR, 1));
}

void guest_exit_by(u32 reason)
{
	switch (reason) {
	case EXIT_REASON_CPUID:
		guest_cpuid(0, 0);
		break;
	case EXIT_REASON_VMCALL:
		guest_vmcall_ping();
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		guest_out_test_port();
		break;
	case EXIT_REASON_MSR_READ:
		guest_rdmsr_bench();
		break;
	case EXIT_REASON_MSR_WRITE:
		guest_wrmsr_bench();
		break;
	case EXIT_REASON_HLT:
		/* An idle HLT, interrupts on: with them off the guest would halt for good. */
		vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | X86_EFLAGS_IF);
		exit_and_enter(EXIT_REASON_HLT, 0);
		vmwrite(GUEST_ACTIVITY_STATE,
			GUEST_ACTIVITY_ACTIVE); /* the next interrupt woke it */
		break;
	default:
		unit_abort(__FILE__, __LINE__, "machine: no guest instruction for exit reason %u",
			   reason);
	}
}
