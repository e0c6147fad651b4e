/*
 * hv/pmu/partition.c through the real pmu_init() and pmu_setup_vmcs() of
 * hv/pmu, on model PMUs of PerfMon v2, v4 and v5: what the guest's
 * CPUID 0xA says, that the host's counters are out of the guest's reach
 * (MSR bitmap, intercepted accesses, RDPMC), the FIXED_CTR_CTRL merge,
 * IA32_PERF_GLOBAL_CTRL at VM entry and exit, that an ordinary exit makes
 * no RDMSR or WRMSR of the PMU, and that the host's counters count host
 * events only while the guest's count guest events only.
 *
 * The tests at the end take the guest's side on the PMU machine
 * (pmu_machine.h): its instructions exit as the VMCS says into the real
 * vmexit_handler() and exit handlers.
 *
 * The other tests simulate the exit path as hv/exit/vmexit.c runs it:
 *	guest runs g events	model_pmu_run(MODEL_GUEST, g)
 *	VM exit			model_vm_exit(): MSR-store list, then host MSR-load list
 *	pmu_vmexit(reason)
 *	exit handler		model_pmu_run(MODEL_HOST, h)
 *	pmu_vmentry(reason)
 *	VM entry		model_vm_entry(): VM-entry MSR-load list
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/unit/pmu_machine.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "arch/x86/frame.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_bitmap.h"
#include "hv/boot/multiboot2.h"
#include "hv/run/options.h"
#include "hv/pmu/strategy.h"

#define MiB (1ULL << 20)
#define EN_OS (ARCH_PERFMON_EVENTSEL_ENABLE | ARCH_PERFMON_EVENTSEL_OS)
#define HOST_FIXED_BITS (BIT(32) | BIT(33)) /* GLOBAL_CTRL bits of fixed counters 0 and 1 */
#define FIXED_FIELD(j, bits) ((u64)(bits) << (4 * (j)))

static const struct model_pmu_config cpu_v2 = { .version = 2, .nr_gp = 2, .nr_fixed = 3 };
static const struct model_pmu_config cpu_v4 = {
	.version = 4, .nr_gp = 4, .nr_fixed = 3, .full_width_writes = true
};
static const struct model_pmu_config cpu_v5 = {
	.version = 5, .nr_gp = 8, .nr_fixed = 4, .full_width_writes = true
};

static u8 *msr_bitmap;
static struct vmx_controls controls;
/* FIXED_CTR_CTRL as the firmware (or an earlier user) left it at boot. */
static u64 boot_fixed_ctr_ctrl;

static void run_init(void *arg)
{
	(void)arg;
	pmu_init();
}

/*
 * Power on a CPU with this PMU and boot the hypervisor's PMU side as
 * hv/main.c and hv/cpu/vcpu.c do, with this command line. Returns false
 * (with the status in model_platform) if the hypervisor refused to go on.
 */
static bool boot(const struct model_pmu_config *cpu, const char *cmdline, bool vmcs_fields)
{
	struct mem_region ram = { 1 * MiB, 4 * MiB, MB2_MEMORY_AVAILABLE };
	struct pmu_vmx_caps caps = { vmcs_fields, vmcs_fields, vmcs_fields, 512 };
	char err[128] = "";
	u64 bitmap;

	model_vmcs_reset();
	model_pmu_install_config(cpu);
	model_pmu_set_cpuid();
	model_pmu_write(MSR_CORE_PERF_FIXED_CTR_CTRL, boot_fixed_ctr_ctrl);
	model_cpuid_set(0, MODEL_ANY_SUBLEAF, (struct cpuid_regs){ .eax = CPUID_LEAF_PMU });
	model_mem_map(1 * MiB, 4 * MiB, 0);
	if (!CHECK(frame_init(&ram, 1, NULL, 0)))
		return false;
	options_set_defaults(&hv_opts);
	if (!unit_check(options_parse(cmdline, &hv_opts, err, sizeof(err)), __FILE__, __LINE__,
			"command line '%s': %s", cmdline, err))
		return false;
	memset(&pmu, 0, sizeof(pmu));
	if (model_expect_exit(run_init, NULL))
		return false;
	/* What intercepts_setup() does around pmu_setup_vmcs(). */
	bitmap = frame_alloc_zeroed();
	msr_bitmap = phys_to_virt(bitmap);
	controls = (struct vmx_controls){ .cpu = CPU_BASED_USE_MSR_BITMAPS };
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	pmu_setup_vmcs(&caps, msr_bitmap, &controls);
	vmwrite(MSR_BITMAP, bitmap);
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, controls.cpu);
	vmwrite(VM_EXIT_CONTROLS, controls.exit);
	vmwrite(VM_ENTRY_CONTROLS, controls.entry);
	return true;
}

/* CPUID.0AH as the guest sees it: the model's leaf through the hypervisor's filter. */
static struct cpuid_regs guest_cpuid_0a(void)
{
	struct cpuid_regs r = cpuid_count(CPUID_LEAF_PMU, 0);

	pmu_filter_cpuid(CPUID_LEAF_PMU, 0, &r);
	return r;
}

static bool msr_exits(u32 msr)
{
	return msr_bitmap_intercepts(msr_bitmap, msr, MSR_INTERCEPT_READ) &&
	       msr_bitmap_intercepts(msr_bitmap, msr, MSR_INTERCEPT_WRITE);
}

/* ---- CPUID 0xA ---- */

TEST(partition_cpuid_v2_and_v4_guest_gets_every_gp_and_no_fixed_counter)
{
	const struct model_pmu_config *cpus[] = { &cpu_v2, &cpu_v4 };

	for (unsigned k = 0; k < ARRAY_SIZE(cpus); k++) {
		struct cpuid_regs hw, r;

		if (!boot(cpus[k], "pmu=partition", false))
			return;
		hw = cpuid_count(CPUID_LEAF_PMU, 0);
		r = guest_cpuid_0a();
		CHECK_EQ_U64(r.eax, hw.eax); /* version, GP counters and width as the CPU's */
		CHECK_EQ_U64((r.eax >> 8) & 0xff, cpus[k]->nr_gp);
		CHECK_EQ_U64(r.edx & 0x1f, 0); /* EDX counts from fixed counter 0: none */
		CHECK_EQ_U64(r.edx >> 5, hw.edx >> 5);
		CHECK_EQ_U64(r.ecx, 0);
		CHECK_EQ_U64(pmu.guest_fixed, 0);
	}
}

TEST(partition_cpuid_v5_offers_fixed_counters_2_and_3_through_the_bitmap)
{
	struct cpuid_regs r;

	if (!boot(&cpu_v5, "pmu=partition", false))
		return;
	r = guest_cpuid_0a();
	CHECK_EQ_U64(r.eax & 0xff, 5);
	CHECK_EQ_U64((r.eax >> 8) & 0xff, 8);
	CHECK_EQ_U64(r.edx & 0x1f, 0);
	CHECK_EQ_U64(r.ecx, BIT(2) | BIT(3));
	CHECK_EQ_U64(pmu.guest_fixed, 2);
}

TEST(partition_cpuid_with_pmu_gp_and_with_the_host_on_gp_counters)
{
	struct cpuid_regs r;

	if (!boot(&cpu_v5, "pmu=partition pmu_gp=3", false))
		return;
	r = guest_cpuid_0a();
	CHECK_EQ_U64((r.eax >> 8) & 0xff, 3);
	CHECK_EQ_U64(r.ecx, BIT(2) | BIT(3));
	/* pmu_host=gp: the last two GP counters are the host's, every fixed counter the guest's. */
	if (!boot(&cpu_v4, "pmu=partition pmu_host=gp", false))
		return;
	r = guest_cpuid_0a();
	CHECK_EQ_U64((r.eax >> 8) & 0xff, 2);
	CHECK_EQ_U64(r.edx & 0x1f, 3);
	CHECK_EQ_U64(r.ecx, 0);
	if (!boot(&cpu_v5, "pmu=partition pmu_host=gp", false))
		return;
	r = guest_cpuid_0a();
	CHECK_EQ_U64((r.eax >> 8) & 0xff, 6);
	CHECK_EQ_U64(r.edx & 0x1f, 4);
	CHECK_EQ_U64(r.ecx, 0xf);
}

TEST(partition_refuses_what_it_cannot_give)
{
	CHECK(!boot(&cpu_v4, "pmu=partition pmu_host=gp pmu_gp=3", false));
	CHECK_EQ_U64(model_platform.exit_status, 3);
	CHECK_CONTAINS(
		model_com1_output(),
		"pmu_gp=3 but pmu=partition pmu_host=gp leaves the guest 2 of 4 GP counters");
	CHECK(!boot(&cpu_v2, "pmu=partition pmu_host=gp", false));
	CHECK_EQ_U64(model_platform.exit_status, 2);
	/* pmu_host= means nothing to a strategy that keeps no counters: refused, not ignored. */
	model_com1_clear();
	CHECK(!boot(&cpu_v4, "pmu=switch pmu_host=gp", false));
	CHECK_EQ_U64(model_platform.exit_status, 3);
	CHECK_CONTAINS(model_com1_output(), "pmu_host=gp: pmu=switch keeps no counters of its own");
}

/* ---- the host's counters are out of the guest's reach ---- */

TEST(partition_host_fixed_counters_are_unreachable_from_the_guest)
{
	u64 v;

	if (!boot(&cpu_v5, "pmu=partition", false))
		return;
	for (unsigned j = 0; j < 2; j++) {
		CHECK(msr_exits(msr_fixed_ctr(j)));
		CHECK(!pmu_msr_read(msr_fixed_ctr(j), &v));
		CHECK(!pmu_msr_write(msr_fixed_ctr(j), 0));
		CHECK(!pmu_guest_rdpmc(RDPMC_FIXED | j, &v));
		CHECK(!pmu_msr_write(MSR_CORE_PERF_GLOBAL_CTRL, global_bit_fixed(j)));
		CHECK(!pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(j, FIXED_CTRL_OS)));
	}
	/* The guest's own go to the hardware, or are read for it. */
	CHECK(!msr_exits(msr_fixed_ctr(2)) && !msr_exits(msr_fixed_ctr(3)));
	CHECK(!msr_bitmap_intercepts(msr_bitmap, MSR_CORE_PERF_GLOBAL_CTRL, MSR_INTERCEPT_READ));
	CHECK(msr_bitmap_intercepts(msr_bitmap, MSR_CORE_PERF_GLOBAL_CTRL, MSR_INTERCEPT_WRITE));
	CHECK(msr_exits(MSR_CORE_PERF_FIXED_CTR_CTRL));
	CHECK(controls.cpu & CPU_BASED_RDPMC_EXITING);
	model_pmu_write(msr_fixed_ctr(3), 1234);
	CHECK(pmu_guest_rdpmc(RDPMC_FIXED | 3, &v) && v == 1234);
	CHECK(pmu_guest_rdpmc(7, &v));
	CHECK(!pmu_guest_rdpmc(8, &v));
	CHECK(!pmu_guest_rdpmc(RDPMC_FIXED | 4, &v));
	CHECK(!pmu_guest_rdpmc(BIT(31) | 1, &v));
	/* A guest RDPMC is a PMU access of its (RDPMC) exit; a refused one makes none. */
	pmu.access = (struct pmu_access_count){ 0, 0, 0 };
	CHECK(pmu_guest_rdpmc(0, &v) && !pmu_guest_rdpmc(RDPMC_FIXED | 1, &v));
	CHECK_EQ_U64(pmu.access.rdpmc, 1);
	CHECK_EQ_U64(pmu.access.rdmsr + pmu.access.wrmsr, 0);
	CHECK(pmu_msr_write(MSR_CORE_PERF_GLOBAL_CTRL,
			    0xff | global_bit_fixed(2) | global_bit_fixed(3)));
	/* Overflow bits of its own counters: written, and counted as that exit's access. */
	pmu.access = (struct pmu_access_count){ 0, 0, 0 };
	CHECK(!pmu_msr_write(MSR_CORE_PERF_GLOBAL_OVF_CTRL, global_bit_fixed(0)));
	CHECK(pmu_msr_write(MSR_CORE_PERF_GLOBAL_OVF_CTRL, global_bit_fixed(2) | BIT(7)));
	CHECK_EQ_U64(pmu.access.wrmsr, 1);
}

TEST(partition_host_gp_counters_are_unreachable_from_the_guest)
{
	u64 v;

	if (!boot(&cpu_v4, "pmu=partition pmu_host=gp", false))
		return;
	for (unsigned i = 2; i < 4; i++) {
		CHECK(msr_exits(msr_pmc(i, false)) && msr_exits(msr_pmc(i, true)));
		CHECK(msr_exits(msr_evtsel(i)));
		CHECK(!pmu_msr_write(msr_evtsel(i), 0));
		CHECK(!pmu_guest_rdpmc(i, &v));
		CHECK(!pmu_msr_write(MSR_CORE_PERF_GLOBAL_CTRL, global_bit_gp(i)));
		CHECK(!pmu_msr_write(MSR_CORE_PERF_GLOBAL_OVF_CTRL, global_bit_gp(i)));
	}
	/* The host programmed its own: instructions and cycles, ring 0. */
	CHECK_EQ_U64(model_pmu_read(msr_evtsel(2)), EN_OS | 0xc0);
	CHECK_EQ_U64(model_pmu_read(msr_evtsel(3)), EN_OS | 0x3c);
	/* The guest keeps every fixed counter and FIXED_CTR_CTRL, which then does not exit. */
	CHECK(!msr_exits(msr_fixed_ctr(0)));
	CHECK(!msr_bitmap_intercepts(msr_bitmap, MSR_CORE_PERF_FIXED_CTR_CTRL,
				     MSR_INTERCEPT_WRITE));
	CHECK(pmu_guest_rdpmc(RDPMC_FIXED | 0, &v));
	CHECK(pmu_guest_rdpmc(1, &v));
}

/* ---- FIXED_CTR_CTRL: the guest's fields merged with the host's ---- */

TEST(partition_fixed_ctr_ctrl_writes_merge_with_the_hosts_fields)
{
	u64 host_fields = FIXED_FIELD(0, FIXED_CTRL_OS) | FIXED_FIELD(1, FIXED_CTRL_OS);
	u64 v = ~0ULL;

	if (!boot(&cpu_v5, "pmu=partition", false))
		return;
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR_CTRL), host_fields);
	CHECK(pmu_msr_read(MSR_CORE_PERF_FIXED_CTR_CTRL, &v) && v == 0);
	CHECK(pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(2, 3) | FIXED_FIELD(3, 0xb)));
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR_CTRL),
		     host_fields | FIXED_FIELD(2, 3) | FIXED_FIELD(3, 0xb));
	CHECK(pmu_msr_read(MSR_CORE_PERF_FIXED_CTR_CTRL, &v));
	CHECK_EQ_U64(v, FIXED_FIELD(2, 3) | FIXED_FIELD(3, 0xb));
	CHECK(pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(3, 2)));
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR_CTRL), host_fields | FIXED_FIELD(3, 2));
	/* A host field, or a bit the hardware reserves: #GP, and nothing changes. */
	CHECK(!pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(1, 2)));
	CHECK(!pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, BIT(16)));
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR_CTRL), host_fields | FIXED_FIELD(3, 2));
	CHECK(pmu_msr_read(MSR_CORE_PERF_FIXED_CTR_CTRL, &v) && v == FIXED_FIELD(3, 2));
	/* The one WRMSR is counted as a PMU access of that (MSR_WRITE) exit. */
	pmu.access = (struct pmu_access_count){ 0, 0, 0 };
	CHECK(pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, 0));
	CHECK_EQ_U64(pmu.access.wrmsr, 1);
	CHECK_EQ_U64(pmu.access.rdmsr + pmu.access.rdpmc, 0);
}

TEST(partition_guest_sees_its_fields_of_the_boot_fixed_ctr_ctrl_and_the_host_gets_it_back)
{
	u64 v = 0;

	boot_fixed_ctr_ctrl = 0x2222;
	if (!boot(&cpu_v5, "pmu=partition", false))
		goto out;
	CHECK(pmu_msr_read(MSR_CORE_PERF_FIXED_CTR_CTRL, &v));
	CHECK_EQ_U64(v, 0x2200);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR_CTRL), 0x2211);
	CHECK(pmu_restore_host());
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR_CTRL), 0x2222);
out:
	boot_fixed_ctr_ctrl = 0;
}

TEST(partition_fixed_ctr_ctrl_on_v4_offers_no_field_at_all)
{
	if (!boot(&cpu_v4, "pmu=partition", false))
		return;
	/* Fixed counter 2 exists but CPUID cannot offer it without 0 and 1: nobody's. */
	CHECK(!pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(2, 1)));
	CHECK(msr_exits(msr_fixed_ctr(2)));
	CHECK(pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, 0));
}

/* ---- IA32_PERF_GLOBAL_CTRL at VM entry and exit ---- */

TEST(partition_global_ctrl_is_the_hosts_at_exit_and_the_guests_at_entry)
{
	u64 guest = 0x5 | global_bit_fixed(3);

	if (!boot(&cpu_v5, "pmu=partition", false))
		return;
	CHECK_EQ_U64(pmu.host_list.count, 1);
	CHECK_EQ_U64(pmu.host_list.entries[0].index, MSR_CORE_PERF_GLOBAL_CTRL);
	CHECK_EQ_U64(pmu.host_list.entries[0].value, HOST_FIXED_BITS);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), HOST_FIXED_BITS);
	model_vm_entry();
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), 0);
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, 0x3); /* a write the bitmap lets through: none */
	model_vm_exit();
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), HOST_FIXED_BITS);
	CHECK_EQ_U64(pmu_guest_global_ctrl(), 0x3);
	/* The guest's intercepted write lands in the VM-entry list, not in the hardware. */
	CHECK(pmu_msr_write(MSR_CORE_PERF_GLOBAL_CTRL, guest));
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), HOST_FIXED_BITS);
	model_vm_entry();
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), guest);
	model_vm_exit();
	CHECK_EQ_U64(pmu_guest_global_ctrl(), guest);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), HOST_FIXED_BITS);
}

TEST(partition_global_ctrl_in_the_vmcs_fields)
{
	if (!boot(&cpu_v4, "pmu=partition global_ctrl=vmcs", true))
		return;
	CHECK_EQ_U64(vmread(HOST_IA32_PERF_GLOBAL_CTRL), HOST_FIXED_BITS);
	CHECK_EQ_U64(vmread(GUEST_IA32_PERF_GLOBAL_CTRL), 0);
	CHECK(controls.exit & VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL);
	CHECK(controls.entry & VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL);
	CHECK(pmu_msr_write(MSR_CORE_PERF_GLOBAL_CTRL, 0xf));
	CHECK_EQ_U64(vmread(GUEST_IA32_PERF_GLOBAL_CTRL), 0xf);
	CHECK(!pmu_msr_write(MSR_CORE_PERF_GLOBAL_CTRL, HOST_FIXED_BITS));
	CHECK_EQ_U64(vmread(GUEST_IA32_PERF_GLOBAL_CTRL), 0xf);
}

/* ---- per exit ---- */

struct access_tally {
	unsigned rdmsr, wrmsr, rdpmc;
};

static struct access_tally tally_log(void)
{
	struct access_tally t = { 0, 0, 0 };
	unsigned n;
	const struct model_pmu_access *log = model_pmu_log(&n);

	for (unsigned k = 0; k < n; k++) {
		if (log[k].op == MODEL_RDMSR)
			t.rdmsr++;
		else if (log[k].op == MODEL_WRMSR)
			t.wrmsr++;
		else
			t.rdpmc++;
	}
	return t;
}

/* One exit as at the top; returns what the model saw of the PMU between exit and entry. */
static struct access_tally one_exit(u32 reason, u64 guest_events, u64 host_events)
{
	struct access_tally seen;

	model_pmu_run(MODEL_GUEST, guest_events);
	model_vm_exit();
	model_pmu_log_clear();
	pmu_vmexit(reason);
	model_pmu_run(MODEL_HOST, host_events);
	pmu_vmentry(reason);
	seen = tally_log();
	model_vm_entry();
	return seen;
}

TEST(partition_ordinary_exit_makes_no_pmu_msr_access_and_measures_with_rdpmc)
{
	static const u32 reasons[] = { EXIT_REASON_CPUID, EXIT_REASON_VMCALL,
				       EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_MSR_READ,
				       EXIT_REASON_HLT };
	struct access_tally seen;

	if (!boot(&cpu_v4, "pmu=partition", false))
		return;
	CHECK(pmu_acts_on_exits());
	model_vm_entry();
	for (unsigned k = 0; k < ARRAY_SIZE(reasons); k++) {
		seen = one_exit(reasons[k], 100, 40 + k);
		CHECK_EQ_U64(seen.rdmsr + seen.wrmsr, 0);
		CHECK_EQ_U64(seen.rdpmc, 4); /* the host's two counters, at exit and before entry */
		CHECK_EQ_U64(pmu.access.rdmsr + pmu.access.wrmsr, 0);
		CHECK_EQ_U64(pmu.access.rdpmc, 4);
		CHECK(pmu.measured);
		CHECK_EQ_U64(pmu.host_instructions, 40 + k);
		CHECK_EQ_U64(pmu.host_cycles, 40 + k);
	}
}

TEST(partition_without_rdpmc_an_exit_makes_no_pmu_access_at_all)
{
	struct access_tally seen;

	if (!boot(&cpu_v5, "pmu=partition pmu_read=rdmsr", false))
		return;
	CHECK_CONTAINS(model_com1_output(), "exits are not measured in cycles and instructions");
	CHECK(!pmu_acts_on_exits()); /* the exit path does not even call the strategy */
	model_vm_entry();
	for (unsigned k = 0; k < 10; k++) {
		seen = one_exit(EXIT_REASON_CPUID, 100, 50);
		CHECK_EQ_U64(seen.rdmsr + seen.wrmsr + seen.rdpmc, 0);
		CHECK_EQ_U64(pmu.access.rdmsr + pmu.access.wrmsr + pmu.access.rdpmc, 0);
		CHECK(!pmu.measured);
	}
}

/* ---- counting: each side's counters count its own events only ---- */

TEST(partition_host_counters_count_host_events_and_guest_counters_guest_events)
{
	const u64 exits = 1000, guest_events = 70, host_events = 30;

	if (!boot(&cpu_v5, "pmu=partition", false))
		return;
	/* The guest programs GP counter 0 and fixed counter 2, directly or through its exits. */
	model_vm_entry();
	model_pmu_write(msr_evtsel(0), EN_OS | 0xc0);
	model_vm_exit();
	CHECK(pmu_msr_write(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(2, FIXED_CTRL_OS)));
	CHECK(pmu_msr_write(MSR_CORE_PERF_GLOBAL_CTRL, global_bit_gp(0) | global_bit_fixed(2)));
	model_vm_entry();
	for (u64 k = 0; k < exits; k++)
		one_exit(EXIT_REASON_CPUID, guest_events, host_events);
	model_pmu_run(MODEL_GUEST, guest_events);
	model_vm_exit();
	/* The host's fixed counters 0 and 1: every host event, no guest event. */
	for (unsigned j = 0; j < 2; j++) {
		CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_GUEST, j), 0);
		CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_HOST, j), exits * host_events);
	}
	/* The guest's: every guest event, no host event. */
	CHECK_EQ_U64(model_pmu_tally_gp(MODEL_GUEST, 0), (exits + 1) * guest_events);
	CHECK_EQ_U64(model_pmu_tally_gp(MODEL_HOST, 0), 0);
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_GUEST, 2), (exits + 1) * guest_events);
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_HOST, 2), 0);
	CHECK_EQ_U64(model_pmu_read(msr_fixed_ctr(2)), (exits + 1) * guest_events);
	/* Nothing else counted. */
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_GUEST, 3) + model_pmu_tally_fixed(MODEL_HOST, 3),
		     0);
	CHECK_EQ_U64(model_pmu_tally_gp(MODEL_GUEST, 1) + model_pmu_tally_gp(MODEL_HOST, 1), 0);
}

TEST(partition_host_gp_counters_count_host_events_only)
{
	const u64 exits = 200, guest_events = 11, host_events = 7;

	if (!boot(&cpu_v4, "pmu=partition pmu_host=gp", false))
		return;
	model_pmu_write(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(0, FIXED_CTRL_OS));
	CHECK(pmu_msr_write(MSR_CORE_PERF_GLOBAL_CTRL, global_bit_fixed(0)));
	model_vm_entry();
	for (u64 k = 0; k < exits; k++)
		one_exit(EXIT_REASON_VMCALL, guest_events, host_events);
	CHECK_EQ_U64(pmu.host_instructions, host_events);
	for (unsigned i = 2; i < 4; i++) {
		CHECK_EQ_U64(model_pmu_tally_gp(MODEL_GUEST, i), 0);
		CHECK_EQ_U64(model_pmu_tally_gp(MODEL_HOST, i), exits * host_events);
	}
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_GUEST, 0), exits * guest_events);
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_HOST, 0), 0);
}

TEST(partition_guest_end_puts_the_hosts_boot_state_back)
{
	if (!boot(&cpu_v5, "pmu=partition", false))
		return;
	model_vm_entry();
	one_exit(EXIT_REASON_CPUID, 5, 5);
	model_vm_exit();
	CHECK(pmu_restore_host());
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), 0);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR_CTRL), 0);
	CHECK_EQ_U64(model_pmu_read(msr_fixed_ctr(0)), 0);
}

/* ---- the guest's side, through the real exit dispatch (pmu_machine.h) ---- */

static unsigned pmu_msr_accesses_logged(void)
{
	struct access_tally t = tally_log();

	return t.rdmsr + t.wrmsr;
}

TEST(partition_guest_sees_its_counters_and_faults_on_the_hosts_v5)
{
	struct pmu_machine m = { .hv_args = "pmu=partition", .cpu = &cpu_v5 };
	struct cpuid_regs r;
	u64 v;

	pmu_machine_launch(&m);
	r = guest_cpuid(CPUID_LEAF_PMU, 0);
	CHECK_EQ_U64((r.eax >> 8) & 0xff, 8);
	CHECK_EQ_U64(r.edx & 0x1f, 0);
	CHECK_EQ_U64(r.ecx, 0xc);
	for (unsigned j = 0; j < 2; j++) {
		CHECK(!guest_rdmsr(msr_fixed_ctr(j), &v));
		CHECK(!guest_wrmsr(msr_fixed_ctr(j), 1));
		CHECK(!guest_rdpmc(RDPMC_FIXED | j, &v));
		CHECK(!guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, global_bit_fixed(j)));
		CHECK(!guest_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(j, 1)));
	}
	/* Its own: written and read back, FIXED_CTR_CTRL through exits, RDPMC through one. */
	CHECK(guest_wrmsr(msr_fixed_ctr(3), 0x9876543210ULL)); /* above 32 bits: EDX too */
	CHECK(guest_rdpmc(RDPMC_FIXED | 3, &v) && v == 0x9876543210ULL);
	CHECK(guest_wrmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, FIXED_FIELD(3, 8)));
	CHECK(guest_rdmsr(MSR_CORE_PERF_FIXED_CTR_CTRL, &v) && v == FIXED_FIELD(3, 8));
	CHECK(guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, BIT(7) | global_bit_fixed(3)));
	guest_vmcall_ping();
	CHECK(guest_rdmsr(MSR_CORE_PERF_GLOBAL_CTRL, &v) && v == (BIT(7) | global_bit_fixed(3)));
}

TEST(partition_ordinary_exits_through_the_dispatch_make_no_pmu_msr_access)
{
	static const u32 reasons[] = { EXIT_REASON_CPUID,	   EXIT_REASON_VMCALL,
				       EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_MSR_READ,
				       EXIT_REASON_MSR_WRITE,	   EXIT_REASON_HLT };
	const struct model_pmu_config *cpus[] = { &cpu_v2, &cpu_v4, &cpu_v5 };

	for (unsigned c = 0; c < ARRAY_SIZE(cpus); c++) {
		struct pmu_machine m = { .hv_args = "pmu=partition", .cpu = cpus[c] };

		pmu_machine_launch(&m);
		for (unsigned k = 0; k < ARRAY_SIZE(reasons); k++) {
			model_pmu_log_clear();
			guest_exit_by(reasons[k]);
			CHECK_EQ_U64(pmu_msr_accesses_logged(), 0);
			CHECK_EQ_U64(pmu.access.rdmsr + pmu.access.wrmsr, 0);
			CHECK_EQ_U64(pmu.access.rdpmc, 4);
			CHECK(pmu.measured);
		}
	}
}

TEST(partition_guest_counting_through_exits_leaves_the_host_counters_alone)
{
	struct pmu_machine m = { .hv_args = "pmu=partition", .cpu = &cpu_v4 };
	const u64 rounds = 300, guest_events = 50;
	u64 v;

	pmu_machine_launch(&m);
	CHECK(guest_wrmsr(msr_evtsel(1), EN_OS | 0x3c));
	CHECK(guest_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, global_bit_gp(1)));
	for (u64 k = 0; k < rounds; k++) {
		model_pmu_run(MODEL_GUEST, guest_events);
		guest_exit_by(k % 2 ? EXIT_REASON_CPUID : EXIT_REASON_IO_INSTRUCTION);
	}
	CHECK_EQ_U64(model_pmu_tally_gp(MODEL_GUEST, 1), rounds * guest_events);
	CHECK_EQ_U64(model_pmu_tally_gp(MODEL_HOST, 1), 0);
	CHECK(guest_rdpmc(1, &v) && v == rounds * guest_events);
	for (unsigned j = 0; j < 2; j++) {
		CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_GUEST, j), 0);
		CHECK(model_pmu_tally_fixed(MODEL_HOST, j) > 0);
	}
}

TEST(partition_without_rdpmc_a_handlers_pmu_access_counts_in_its_own_exit_only)
{
	struct pmu_machine m = { .hv_args = "pmu=partition pmu_read=rdmsr", .cpu = &cpu_v4 };

	pmu_machine_launch(&m);
	CHECK(!pmu_acts_on_exits());
	CHECK(guest_wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, BIT(0)));
	CHECK_EQ_U64(pmu.access.wrmsr, 1);
	guest_exit_by(EXIT_REASON_CPUID);
	CHECK_EQ_U64(pmu.access.rdmsr + pmu.access.wrmsr + pmu.access.rdpmc, 0);
}

/* Bochs: RDPMC reads 0 or #GPs, so partition neither measures nor trusts it for the guest. */
TEST(partition_where_rdpmc_does_not_read_back)
{
	static const struct model_pmu_config bochs_v5 = {
		.version = 5, .nr_gp = 8, .nr_fixed = 4, .bochs_rdpmc = true
	};
	struct pmu_machine m = { .hv_args = "pmu=partition", .cpu = &bochs_v5 };
	unsigned n;
	u64 v;

	pmu_machine_launch(&m);
	CHECK(!pmu_acts_on_exits());
	CHECK_CONTAINS(model_com1_output(), "which failed its self-test");
	model_pmu_log_clear();
	guest_exit_by(EXIT_REASON_CPUID);
	guest_exit_by(EXIT_REASON_IO_INSTRUCTION);
	model_pmu_log(&n);
	CHECK_EQ_U64(n, 0); /* no PMU access of any kind */
	/* The guest's RDPMC of its own counters reads the counter MSR, one counted RDMSR. */
	model_pmu_write(msr_pmc(5, false), 55);
	model_pmu_write(msr_fixed_ctr(2), 22);
	CHECK(guest_rdpmc(5, &v) && v == 55);
	CHECK_EQ_U64(pmu.access.rdmsr, 1);
	CHECK(guest_rdpmc(RDPMC_FIXED | 2, &v) && v == 22);
	CHECK(!guest_rdpmc(RDPMC_FIXED | 1, &v));
	CHECK(!guest_rdpmc(8, &v));
}
