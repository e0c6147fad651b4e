/*
 * hv/base/platform_info.c and the run's meta lines: what the results block says
 * about the machine. A machine that has the MSRs and CPUID leaves gets
 * their values; one that lacks them (Bochs, nested KVM: RDMSR #GPs, which
 * the model turns into an aborted test for a plain rdmsr()) gets "absent";
 * an MSR the CPU does not enumerate is not read at all. IA32_SMI_COUNT is
 * read as each run's guest is launched and as it ends.
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/msr.h"
#include "arch/x86/serial.h"
#include "arch/x86/vmx.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/stats.h"
#include "hv/run/stats_report.h"
#include "hv/base/log.h"
#include "hv/run/options.h"
#include "hv/base/platform_info.h"
#include "hv/run/runs.h"
#include "hv/base/status.h"

#define VMX_PROC_CTLS                                                                          \
	(((u64)(CPU_BASED_ACTIVATE_SECONDARY_CONTROLS | CPU_BASED_ACTIVATE_TERTIARY_CONTROLS | \
		CPU_BASED_HLT_EXITING)                                                         \
	  << 32) |                                                                             \
	 0x0401e172)
#define VMX_PROC_CTLS2 ((u64)(SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VMFUNC) << 32)
#define VMX_EXIT_CTLS (((u64)VM_EXIT_ACTIVATE_SECONDARY_CONTROLS << 32) | 0x00036dff)

static void set_cpuid(u32 leaf, u32 subleaf, u32 eax, u32 ebx, u32 ecx, u32 edx)
{
	model_cpuid_set(leaf, subleaf, (struct cpuid_regs){ eax, ebx, ecx, edx });
}

/* CPUID of a hybrid Intel part with PerfMon v5 and leaf 0x23, running on a P-core. */
static void hybrid_cpu_cpuid(u32 max_leaf)
{
	set_cpuid(0, 0, max_leaf, 0x756e6547, 0x6c65746e, 0x49656e69); /* GenuineIntel */
	set_cpuid(1, 0, 0x000906a3, 0, CPUID_1_ECX_VMX | CPUID_1_ECX_PDCM, CPUID_1_EDX_DS);
	set_cpuid(7, 0, 1, CPUID_7_EBX_INTEL_PT, 0,
		  CPUID_7_EDX_TSX_FORCE_ABORT | CPUID_7_EDX_HYBRID);
	set_cpuid(7, 1, CPUID_7_1_EAX_ARCH_PERFMON_EXT, 0, 0, 0);
	set_cpuid(CPUID_LEAF_PMU, 0, 0x07300805, 0, 0x7, 0x00008603);
	set_cpuid(CPUID_LEAF_NATIVE_MODEL, 0, 0x40000001, 0, 0, 0);
	set_cpuid(CPUID_LEAF_PMU_EXT, 0, 0x3, 0, 0, 0); /* subleaves 0 and 1 */
	set_cpuid(CPUID_LEAF_PMU_EXT, 1, 0xff, 0x7, 0, 0);
	set_cpuid(CPUID_LEAF_PMU_EXT, 2, 0xdead, 0, 0, 0); /* not in the bitmap */
}

static void vmx_cap_msrs(u64 basic, u64 procbased, u64 procbased2, u64 exit)
{
	model_msr_set(MSR_IA32_VMX_BASIC, basic);
	model_msr_set(MSR_IA32_VMX_PINBASED_CTLS, 0x0000007f00000016);
	model_msr_set(MSR_IA32_VMX_PROCBASED_CTLS, procbased);
	model_msr_set(MSR_IA32_VMX_EXIT_CTLS, exit);
	model_msr_set(MSR_IA32_VMX_ENTRY_CTLS, 0x0003ffff000011ff);
	model_msr_set(MSR_IA32_VMX_MISC, 0x00000000300481e5);
	model_msr_set(MSR_IA32_VMX_CR0_FIXED0, 0x80000021);
	model_msr_set(MSR_IA32_VMX_CR0_FIXED1, 0xffffffff);
	model_msr_set(MSR_IA32_VMX_CR4_FIXED0, 0x2000);
	model_msr_set(MSR_IA32_VMX_CR4_FIXED1, 0x3767ff);
	model_msr_set(MSR_IA32_VMX_VMCS_ENUM, 0x2e);
	model_msr_set(MSR_IA32_VMX_PROCBASED_CTLS2, procbased2);
	model_msr_set(MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106734141);
	model_msr_set(MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x0000007f00000016);
	model_msr_set(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, 0xfffbfffe04006172);
	model_msr_set(MSR_IA32_VMX_TRUE_EXIT_CTLS, 0xf77fffff00036dfb);
	model_msr_set(MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x0003ffff000011fb);
	model_msr_set(MSR_IA32_VMX_VMFUNC, 0x1);
	model_msr_set(MSR_IA32_VMX_PROCBASED_CTLS3, 0x10);
	model_msr_set(MSR_IA32_VMX_EXIT_CTLS2, 0x8);
}

/* A fresh log on COM1, the console the model captures. */
static void console_clear(void)
{
	static const struct uart com1 = {
		.base = COM1_BASE, .stride = 1, .baud = 115200, .clock = UART_CLOCK_HZ
	};

	log_init();
	log_set_console(&com1);
	model_com1_clear();
}

/* The meta lines as printed, after a boot's platform_report(). */
static const char *boot_then_print_meta(void)
{
	console_clear();
	platform_report();
	model_com1_clear();
	platform_print_meta();
	return model_com1_output();
}

TEST(platform_meta_carries_the_machines_msrs_and_cpuid_leaves)
{
	const char *out;

	hybrid_cpu_cpuid(CPUID_LEAF_PMU_EXT);
	model_cpuid_set_microcode(0x430);
	vmx_cap_msrs(0x00da040000000004 | VMX_BASIC_TRUE_CTLS, VMX_PROC_CTLS, VMX_PROC_CTLS2,
		     VMX_EXIT_CTLS);
	model_msr_set(MSR_IA32_PERF_CAPABILITIES, 0xf32c4);
	model_msr_set(MSR_CORE_PERF_GLOBAL_CTRL, 0x70000000f); /* firmware left them counting */
	model_msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, 0x333);
	model_msr_set(MSR_IA32_PEBS_ENABLE, 0);
	model_msr_set(MSR_IA32_DS_AREA, 0);
	model_msr_set(MSR_IA32_RTIT_CTL, 0x2001);
	model_msr_set(MSR_TSX_FORCE_ABORT, MSR_TFA_RTM_FORCE_ABORT);

	console_clear();
	platform_report();
	/* what the PMU setup does later must not show as the boot state */
	model_msr_set(MSR_CORE_PERF_GLOBAL_CTRL, 0);
	model_msr_set(MSR_CORE_PERF_FIXED_CTR_CTRL, 0);
	model_com1_clear();
	platform_print_meta();
	out = model_com1_output();

	CHECK_CONTAINS(out, "meta,cpu_family,6\r\nmeta,cpu_model,154\r\nmeta,cpu_stepping,3\r\n");
	CHECK_CONTAINS(out, "meta,microcode,0x430\r\n");
	CHECK_CONTAINS(out, "meta,cpuid_0xa,0x07300805 0x00000000 0x00000007 0x00008603\r\n");
	CHECK_CONTAINS(out, "meta,cpuid_0x23_0,0x00000003 0x00000000 0x00000000 0x00000000\r\n");
	CHECK_CONTAINS(out, "meta,cpuid_0x23_1,0x000000ff 0x00000007 0x00000000 0x00000000\r\n");
	CHECK(!strstr(out, "cpuid_0x23_2"));
	CHECK_CONTAINS(out, "meta,cpuid_0x1a,0x40000001 0x00000000 0x00000000 0x00000000\r\n");
	CHECK_CONTAINS(out, "meta,hybrid,1\r\nmeta,core_type,core\r\n");
	CHECK_CONTAINS(out, "meta,perf_capabilities,0xf32c4\r\n");
	CHECK_CONTAINS(out, "meta,boot_perf_global_ctrl,0x70000000f\r\n");
	CHECK_CONTAINS(out, "meta,boot_fixed_ctr_ctrl,0x333\r\n");
	CHECK_CONTAINS(out, "meta,boot_pebs_enable,0x0\r\n");
	CHECK_CONTAINS(out, "meta,boot_ds_area,0x0\r\n");
	CHECK_CONTAINS(out, "meta,boot_rtit_ctl,0x2001\r\n");
	CHECK_CONTAINS(out, "meta,tsx_force_abort,0x1\r\n");
	CHECK_CONTAINS(out, "meta,vmx_basic,0xda040000000004\r\n");
	CHECK_CONTAINS(out, "meta,vmx_cr4_fixed1,0x3767ff\r\n");
	CHECK_CONTAINS(out, "meta,vmx_vmcs_enum,0x2e\r\n");
	CHECK_CONTAINS(out, "meta,vmx_procbased_ctls2,0x200200000000\r\n");
	CHECK_CONTAINS(out, "meta,vmx_ept_vpid_cap,0xf0106734141\r\n");
	CHECK_CONTAINS(out, "meta,vmx_true_procbased_ctls,0xfffbfffe04006172\r\n");
	CHECK_CONTAINS(out, "meta,vmx_true_entry_ctls,0x3ffff000011fb\r\n");
	CHECK_CONTAINS(out, "meta,vmx_vmfunc,0x1\r\n");
	CHECK_CONTAINS(out, "meta,vmx_procbased_ctls3,0x10\r\n");
	CHECK_CONTAINS(out, "meta,vmx_exit_ctls2,0x8\r\n");
	CHECK(!strstr(out, "absent"));
}

TEST(platform_meta_says_absent_where_the_msrs_fault)
{
	const char *out;

	/* CPUID offers everything, the MSR file has none of it: every RDMSR #GPs */
	hybrid_cpu_cpuid(0xd);
	set_cpuid(7, 0, 1, CPUID_7_EBX_INTEL_PT, 0, CPUID_7_EDX_TSX_FORCE_ABORT);
	out = boot_then_print_meta();

	CHECK_CONTAINS(out, "meta,microcode,absent\r\n");
	CHECK_CONTAINS(out, "meta,cpuid_0xa,0x07300805 ");
	CHECK_CONTAINS(out, "meta,cpuid_0x23_0,absent\r\n"); /* above the highest leaf */
	CHECK_CONTAINS(out, "meta,cpuid_0x1a,absent\r\n");
	CHECK_CONTAINS(out, "meta,hybrid,0\r\nmeta,core_type,none\r\n");
	CHECK_CONTAINS(out, "meta,perf_capabilities,absent\r\n");
	CHECK_CONTAINS(out, "meta,boot_perf_global_ctrl,absent\r\n");
	CHECK_CONTAINS(out, "meta,boot_fixed_ctr_ctrl,absent\r\n");
	CHECK_CONTAINS(out, "meta,boot_pebs_enable,absent\r\n");
	CHECK_CONTAINS(out, "meta,boot_ds_area,absent\r\n");
	CHECK_CONTAINS(out, "meta,boot_rtit_ctl,absent\r\n");
	CHECK_CONTAINS(out, "meta,tsx_force_abort,absent\r\n");
	CHECK_CONTAINS(out, "meta,vmx_basic,absent\r\n");
	CHECK_CONTAINS(out, "meta,vmx_vmcs_enum,absent\r\n");
	CHECK_CONTAINS(out, "meta,vmx_exit_ctls2,absent\r\n");
}

TEST(platform_meta_reads_no_msr_the_cpu_does_not_enumerate)
{
	static const u32 not_enumerated[] = {
		MSR_IA32_VMX_PROCBASED_CTLS2,
		MSR_IA32_VMX_EPT_VPID_CAP,
		MSR_IA32_VMX_TRUE_PINBASED_CTLS,
		MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		MSR_IA32_VMX_TRUE_EXIT_CTLS,
		MSR_IA32_VMX_TRUE_ENTRY_CTLS,
		MSR_IA32_VMX_VMFUNC,
		MSR_IA32_VMX_PROCBASED_CTLS3,
		MSR_IA32_VMX_EXIT_CTLS2,
		MSR_IA32_PERF_CAPABILITIES,
		MSR_IA32_PEBS_ENABLE,
		MSR_IA32_DS_AREA,
		MSR_IA32_RTIT_CTL,
		MSR_TSX_FORCE_ABORT,
		MSR_CORE_PERF_GLOBAL_CTRL,
		MSR_CORE_PERF_FIXED_CTR_CTRL,
	};
	const char *out;

	/* A CPU with VMX but nothing optional, whose MSR file has them all anyway. */
	set_cpuid(0, 0, 0x7, 0x756e6547, 0x6c65746e, 0x49656e69);
	set_cpuid(1, 0, 0x000306a9, 0, CPUID_1_ECX_VMX, 0);
	/* no TRUE_* (bit 55), no secondary (bit 63) or tertiary (49) controls, no exit CTLS2 */
	vmx_cap_msrs(0x00da040000000004 & ~VMX_BASIC_TRUE_CTLS, 0x7ff9fffe0401e172, VMX_PROC_CTLS2,
		     0x7fffffff00036dff);
	for (unsigned i = 0; i < ARRAY_SIZE(not_enumerated); i++)
		if (!model_msr_present(not_enumerated[i]))
			model_msr_set(not_enumerated[i], 0);
	out = boot_then_print_meta();

	CHECK_CONTAINS(out, "meta,cpuid_0xa,absent\r\n");
	CHECK_CONTAINS(out, "meta,vmx_basic,0x5a040000000004\r\n");
	CHECK_CONTAINS(out, "meta,vmx_procbased_ctls2,absent\r\n");
	CHECK_CONTAINS(out, "meta,vmx_true_pinbased_ctls,absent\r\n");
	CHECK_CONTAINS(out, "meta,vmx_procbased_ctls3,absent\r\n");
	CHECK_CONTAINS(out, "meta,vmx_exit_ctls2,absent\r\n");
	CHECK_CONTAINS(out, "meta,perf_capabilities,absent\r\n");
	for (unsigned i = 0; i < ARRAY_SIZE(not_enumerated); i++)
		unit_check(model_msr_entry(not_enumerated[i])->reads == 0, __FILE__, __LINE__,
			   "MSR 0x%x was read", not_enumerated[i]);
}

/* One run's end as the hypervisor reports it: its results block. */
/* A fresh run: no exits yet (the vCPU is global and other tests ran guests). */
static void start_of_run(void)
{
	options_set_defaults(&hv_opts);
	hv_opts.stats = STATS_COUNTS; /* full would need the boot's sample memory */
	exit_stats_init();
	memset(vcpu.exit_counts, 0, sizeof(vcpu.exit_counts));
	console_clear();
}

static const char *end_of_run(void)
{
	model_com1_clear();
	exit_stats_print(HV_STATUS_OK);
	return model_com1_output();
}

TEST(run_meta_carries_the_smis_during_each_run)
{
	const char *out;

	start_of_run();
	model_msr_set(MSR_SMI_COUNT, 41);

	runs_smi_count_at_launch();
	model_msr_set(MSR_SMI_COUNT, 44); /* three SMIs while the guest ran */
	out = end_of_run();
	CHECK_CONTAINS(out, "meta,smi_count_before,41\r\nmeta,smi_count_after,44\r\n"
			    "meta,smi_count_delta,3\r\n");

	runs_smi_count_at_launch(); /* the next run: none */
	out = end_of_run();
	CHECK_CONTAINS(out, "meta,smi_count_before,44\r\nmeta,smi_count_after,44\r\n"
			    "meta,smi_count_delta,0\r\n");

	/* the count is 32 bits wide and wraps; bits 63:32 are reserved */
	model_msr_set(MSR_SMI_COUNT, 0xabc00000000 | 0xfffffffe);
	runs_smi_count_at_launch();
	model_msr_set(MSR_SMI_COUNT, 0xabc00000000 | 1);
	out = end_of_run();
	CHECK_CONTAINS(out, "meta,smi_count_before,4294967294\r\nmeta,smi_count_after,1\r\n"
			    "meta,smi_count_delta,3\r\n");
}

TEST(run_meta_says_absent_without_an_smi_counter)
{
	const char *out;

	start_of_run();
	runs_smi_count_at_launch();
	out = end_of_run();
	CHECK_CONTAINS(out, "meta,smi_count_before,absent\r\nmeta,smi_count_after,absent\r\n"
			    "meta,smi_count_delta,absent\r\n");
	CHECK_CONTAINS(out, "data,hv,ALL,count,value,0\r\n=== end ===\r\n");
}
