/*
 * A machine for the PMU tests: the model (tests/model) with a counting PMU,
 * booted through the hypervisor's real pmu_init() and intercepts_setup()
 * (the vCPU's MSR bitmap and controls, pmu_setup_vmcs() among them), and
 * a guest whose instructions exit as the VMCS says (MSR bitmap, RDPMC
 * exiting) into the real exit dispatch, vmexit_handler(), which runs the
 * strategy's save, the real exit handler and the strategy's restore.
 *
 * What the test plays is only what the hardware and the rest of the
 * hypervisor would do around those: the VMCS fields an exit fills in,
 * the guest's registers, the events the CPU executes.
 */
#ifndef TESTS_UNIT_PMU_MACHINE_H
#define TESTS_UNIT_PMU_MACHINE_H

#include "lib/types.h"
#include "arch/x86/cpuid.h"
#include "tests/model/model.h"

/* What the model CPU offers beyond the PMU, which the guest must not see. */
#define PMU_MACHINE_DS BIT(21)			/* CPUID.1:EDX */
#define PMU_MACHINE_DTES64 BIT(2)		/* CPUID.1:ECX */
#define PMU_MACHINE_ARCH_LBR BIT(19)		/* CPUID.(7,0):EDX */
#define PMU_MACHINE_PERF_CAP_LBR_FORMAT 0x3fULL /* IA32_PERF_CAPABILITIES 5:0 */

/* The CPU: PerfMon v4 (v3 without STATUS_SET), 4 GP and 3 fixed counters of 48 bits. */
struct pmu_machine {
	const char *hv_args;	  /* the hypervisor command line: "pmu=switch pmu_read=rdmsr" */
	bool full_width_writes;	  /* IA32_PERF_CAPABILITIES.FW_WRITE: IA32_A_PMCx exist */
	bool has_status_set;	  /* PerfMon v4, else v3 */
	bool no_vmcs_global_ctrl; /* the VMX controls "load/save IA32_PERF_GLOBAL_CTRL" are absent */
	bool no_save_global_ctrl; /* only "save IA32_PERF_GLOBAL_CTRL" is absent */
	bool no_debugctl;	  /* the CPU has no IA32_DEBUGCTL (Bochs) */
	u64 debugctl_reserved;	  /* IA32_DEBUGCTL bits whose WRMSR #GPs */
	/* Another PMU (version 2-5, counters) instead; full_width_writes, has_status_set unused. */
	const struct model_pmu_config *cpu;
	/* No PMU at all: CPUID 0xA reads 0, every PMU MSR #GPs (a guest of KVM without a vPMU). */
	bool no_pmu;
};

/*
 * Power the model on as m describes, parse m->hv_args, run pmu_init() and
 * intercepts_setup() as the boot does. Returns -1 when the hypervisor is
 * ready to launch the guest, or the status it ended the run with (it
 * refused the options or the CPU). The CPU is in the host.
 */
int pmu_machine_boot(const struct pmu_machine *m);
/* pmu_machine_boot() that must succeed, then VMLAUNCH (the guest runs). */
void pmu_machine_launch(const struct pmu_machine *m);

/* Exits taken since the boot, as the hypervisor counts them (every kind). */
u64 pmu_machine_exits(void);

/*
 * One VM exit in three steps, for tests that look in between: the model's
 * VM exit (MSR lists, controls) and the events of the exit path, which
 * nobody may count; the real vmexit_handler() with the VMCS holding the
 * exit; the entry path's events and the model's VM entry. An exception the
 * handler injected is returned by the last step (its vector, or -1).
 */
void pmu_machine_vm_exit(u32 reason, u64 qualification);
/* Zero the VMCS fields a run's end report prints that no modelled exit wrote. */
void pmu_machine_zero_report_fields(void);
void pmu_machine_handle_exit(void);
int pmu_machine_vm_entry(void);

/* Events on the exit and entry paths outside the handler: GLOBAL_CTRL is the host's 0 there. */
#define PMU_MACHINE_PATH_EVENTS 37

/*
 * The guest executes an instruction: through a VM exit where the VMCS
 * says so (then the real handler decides), else on the model's hardware.
 * false: the guest took #GP.
 */
bool guest_rdmsr(u32 msr, u64 *value);
bool guest_wrmsr(u32 msr, u64 value);
bool guest_rdpmc(u32 ecx, u64 *value);
struct cpuid_regs guest_cpuid(u32 leaf, u32 subleaf);
/* Exits whose handlers touch no PMU MSR: a hypercall, the test port, the benchmark MSR. */
void guest_vmcall_ping(void);
void guest_out_test_port(void);
void guest_rdmsr_bench(void);
void guest_wrmsr_bench(void);
/* One exit of this reason, by the instruction above that causes it (or HLT). */
void guest_exit_by(u32 reason);

#endif
