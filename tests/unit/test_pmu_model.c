/*
 * The counting PMU model (tests/model/pmu.c) itself: the strategy tests in
 * test_pmu_switch.c are only as good as it is, so each behaviour they rely
 * on is pinned here against the SDM.
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/msr.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_bitmap.h"
#include "arch/x86/vmx_msr_list.h"
#include "tests/model/vmcs_model.h"

#define EN_OS (ARCH_PERFMON_EVENTSEL_ENABLE | ARCH_PERFMON_EVENTSEL_OS)
#define ALL_COUNTERS (0xfULL | 7ULL << GLOBAL_FIXED_SHIFT)

TEST(pmu_model_absent_until_installed)
{
	u64 v;

	CHECK(!model_pmu_claims(MSR_CORE_PERF_GLOBAL_CTRL));
	CHECK(!rdmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, &v));
	CHECK(!rdpmc_safe(0, &v));
	/* Without the PMU model, PMU indexes are plain MSR-file entries, as before. */
	model_msr_set(MSR_P6_EVNTSEL0, 0x1234);
	CHECK_EQ_U64(rdmsr(MSR_P6_EVNTSEL0), 0x1234);

	model_pmu_install(true, true);
	CHECK(model_pmu_installed());
	CHECK(model_pmu_claims(MSR_P6_EVNTSEL0));
	CHECK_EQ_U64(rdmsr(MSR_P6_EVNTSEL0), 0); /* power-on value, the PMU's own */
	model_reset();
	CHECK(!model_pmu_installed());
}

TEST(pmu_model_registers_that_do_not_exist_gp)
{
	u64 v;

	model_pmu_install(false, false);
	CHECK(!rdmsr_safe(MSR_IA32_PMC0 + MODEL_PMU_GP, &v));  /* PMC4 */
	CHECK(!wrmsr_safe(MSR_P6_EVNTSEL0 + MODEL_PMU_GP, 0)); /* PERFEVTSEL4 */
	CHECK(!rdmsr_safe(MSR_CORE_PERF_FIXED_CTR0 + MODEL_PMU_FIXED, &v));
	CHECK(!wrmsr_safe(MSR_IA32_PMC0_FW, 1));		 /* no full-width writes */
	CHECK(!rdmsr_safe(MSR_CORE_PERF_GLOBAL_STATUS_SET, &v)); /* v3 */
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_STATUS_SET, 1));
	CHECK(!rdpmc_safe(MODEL_PMU_GP, &v));
	CHECK(!rdpmc_safe(RDPMC_FIXED | MODEL_PMU_FIXED, &v));
	CHECK(rdpmc_safe(RDPMC_FIXED | 2, &v));
}

TEST(pmu_model_reserved_bits_and_status_writes_gp)
{
	model_pmu_install(true, true);
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_STATUS, 0)); /* read-only, even 0 */
	CHECK(!wrmsr_safe(MSR_P6_EVNTSEL0, BIT(32)));
	CHECK(wrmsr_safe(MSR_P6_EVNTSEL0, 0xffffffff));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_FIXED_CTR_CTRL, BIT(12)));
	CHECK(wrmsr_safe(MSR_CORE_PERF_FIXED_CTR_CTRL, 0xfff));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, BIT(4)));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, BIT(35)));
	CHECK(wrmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, ALL_COUNTERS));
	CHECK(!wrmsr_safe(MSR_IA32_PMC0_FW, BIT(48)));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_FIXED_CTR0, BIT(48)));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_OVF_CTRL, BIT(4)));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_STATUS_SET, BIT(35)));
	/* The failed writes changed nothing. */
	CHECK_EQ_U64(model_pmu_read(MSR_P6_EVNTSEL0), 0xffffffff);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR_CTRL), 0xfff);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), ALL_COUNTERS);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_STATUS), 0);
}

TEST(pmu_model_legacy_counter_writes_sign_extend_bit_31)
{
	model_pmu_install(true, true);
	wrmsr(MSR_IA32_PMC0, 0x7fffffff);
	CHECK_EQ_U64(rdmsr(MSR_IA32_PMC0), 0x7fffffff);
	wrmsr(MSR_IA32_PMC0, 0x80000000);
	CHECK_EQ_U64(rdmsr(MSR_IA32_PMC0), 0xffff80000000ULL);
	wrmsr(MSR_IA32_PMC0, 0x123456789ULL); /* EDX ignored */
	CHECK_EQ_U64(rdmsr(MSR_IA32_PMC0), 0x23456789);
	/* The full-width alias takes all 48 bits and reads the same counter. */
	wrmsr(MSR_IA32_PMC0_FW + 1, 0x923456789abcULL);
	CHECK_EQ_U64(rdmsr(MSR_IA32_PMC0 + 1), 0x923456789abcULL);
	CHECK_EQ_U64(rdmsr(MSR_IA32_PMC0_FW + 1), 0x923456789abcULL);
	CHECK_EQ_U64(rdpmc(1), 0x923456789abcULL);
	/* Fixed counters are always written full width. */
	wrmsr(MSR_CORE_PERF_FIXED_CTR0 + 2, 0x800000000001ULL);
	CHECK_EQ_U64(rdpmc(RDPMC_FIXED | 2), 0x800000000001ULL);
}

TEST(pmu_model_status_reset_and_set_change_only_written_bits)
{
	model_pmu_install(true, true);
	wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, 0b1010 | BIT(33));
	CHECK_EQ_U64(rdmsr(MSR_CORE_PERF_GLOBAL_STATUS), 0b1010 | BIT(33));
	wrmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL, 0b0011);
	CHECK_EQ_U64(rdmsr(MSR_CORE_PERF_GLOBAL_STATUS), 0b1000 | BIT(33));
	wrmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET, 0b0100);
	CHECK_EQ_U64(rdmsr(MSR_CORE_PERF_GLOBAL_STATUS), 0b1100 | BIT(33));
	/* STATUS_RESET and STATUS_SET read as 0. */
	CHECK_EQ_U64(rdmsr(MSR_CORE_PERF_GLOBAL_OVF_CTRL), 0);
	CHECK_EQ_U64(rdmsr(MSR_CORE_PERF_GLOBAL_STATUS_SET), 0);
}

TEST(pmu_model_counts_only_enabled_counters)
{
	model_pmu_install(true, true);
	/* GP0: everything on. GP1: no EN. GP2: no OS (user only). GP3: not in GLOBAL_CTRL. */
	model_pmu_write(MSR_P6_EVNTSEL0, EN_OS | 0x3c);
	model_pmu_write(MSR_P6_EVNTSEL0 + 1, ARCH_PERFMON_EVENTSEL_OS | 0x3c);
	model_pmu_write(MSR_P6_EVNTSEL0 + 2,
			ARCH_PERFMON_EVENTSEL_ENABLE | ARCH_PERFMON_EVENTSEL_USR | 0x3c);
	model_pmu_write(MSR_P6_EVNTSEL0 + 3, EN_OS | 0x3c);
	/* Fixed 0: OS. Fixed 1: USR only. Fixed 2: OS but not in GLOBAL_CTRL. */
	model_pmu_write(MSR_CORE_PERF_FIXED_CTR_CTRL, 0x121);
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, 0x7 | 3ULL << GLOBAL_FIXED_SHIFT);
	model_pmu_write(MSR_IA32_PMC0, 100);

	model_pmu_run(MODEL_HOST, 25);
	CHECK_EQ_U64(model_pmu_read(MSR_IA32_PMC0), 125);
	CHECK_EQ_U64(model_pmu_read(MSR_IA32_PMC0 + 1), 0);
	CHECK_EQ_U64(model_pmu_read(MSR_IA32_PMC0 + 2), 0);
	CHECK_EQ_U64(model_pmu_read(MSR_IA32_PMC0 + 3), 0);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR0), 25);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR0 + 1), 0);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR0 + 2), 0);
	CHECK_EQ_U64(model_pmu_tally_gp(MODEL_HOST, 0), 25);
	CHECK_EQ_U64(model_pmu_tally_gp(MODEL_GUEST, 0), 0);
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_HOST, 0), 25);
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_HOST, 2), 0);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_STATUS), 0);
}

TEST(pmu_model_wrap_sets_the_counters_status_bit)
{
	model_pmu_install(false, true);
	model_pmu_write(MSR_IA32_PMC0 + 2, (u32)-10); /* -10, sign-extended: 2^48 - 10 */
	CHECK_EQ_U64(model_pmu_read(MSR_IA32_PMC0 + 2), (BIT(48) - 10));
	model_pmu_write(MSR_P6_EVNTSEL0 + 2, EN_OS);
	model_pmu_write(MSR_CORE_PERF_FIXED_CTR0 + 1, BIT(48) - 1);
	model_pmu_write(MSR_CORE_PERF_FIXED_CTR_CTRL, 0x10);
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, BIT(2) | BIT(33));
	model_pmu_run(MODEL_HOST, 9); /* PMC2 at 2^48 - 1: no wrap yet */
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_STATUS), BIT(33));
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR0 + 1), 8);
	model_pmu_run(MODEL_HOST, 3);
	CHECK_EQ_U64(model_pmu_read(MSR_IA32_PMC0 + 2), 2);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_STATUS), BIT(2) | BIT(33));
}

/* Lists in modelled memory at 1 MiB: the guest's (entry load = exit store) and the host's. */
static struct vmx_msr_entry *vmcs_lists(u64 guest_value)
{
	struct vmx_msr_entry *l = model_mem_map(0x100000, 0x2000, 0);

	l[0] = (struct vmx_msr_entry){ MSR_CORE_PERF_GLOBAL_CTRL, 0, guest_value };
	l[256] = (struct vmx_msr_entry){ MSR_CORE_PERF_GLOBAL_CTRL, 0, 0 };
	vmwrite_safe(VM_ENTRY_MSR_LOAD_ADDR, 0x100000);
	vmwrite_safe(VM_ENTRY_MSR_LOAD_COUNT, 1);
	vmwrite_safe(VM_EXIT_MSR_STORE_ADDR, 0x100000);
	vmwrite_safe(VM_EXIT_MSR_STORE_COUNT, 1);
	vmwrite_safe(VM_EXIT_MSR_LOAD_ADDR, 0x100000 + 256 * sizeof(*l));
	vmwrite_safe(VM_EXIT_MSR_LOAD_COUNT, 1);
	return l;
}

TEST(pmu_model_vm_transitions_move_global_ctrl_through_the_lists)
{
	struct vmx_msr_entry *l;

	model_pmu_install(true, true);
	l = vmcs_lists(BIT(32));
	model_pmu_write(MSR_CORE_PERF_FIXED_CTR_CTRL, 0x1);

	CHECK_EQ_U64(model_pmu_context(), MODEL_HOST);
	model_vm_entry();
	CHECK_EQ_U64(model_pmu_context(), MODEL_GUEST);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), BIT(32));
	model_pmu_run(MODEL_GUEST, 5);
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, 0); /* the guest stops counting */
	model_pmu_run(MODEL_GUEST, 7);
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, BIT(32) | BIT(0));
	model_vm_exit();
	CHECK_EQ_U64(model_pmu_context(), MODEL_HOST);
	CHECK_EQ_U64(l[0].value, BIT(32) | BIT(0));		    /* stored */
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), 0); /* host's loaded */
	model_pmu_run(MODEL_HOST, 100);
	model_vm_entry();
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), BIT(32) | BIT(0));
	model_pmu_run(MODEL_GUEST, 1);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR0), 6);
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_GUEST, 0), 6);
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_HOST, 0), 0);
}

TEST(pmu_model_vm_transitions_apply_the_global_ctrl_controls)
{
	model_pmu_install(true, true);
	vmwrite_safe(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL);
	vmwrite_safe(VM_EXIT_CONTROLS,
		     VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL | VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL);
	vmwrite_safe(GUEST_IA32_PERF_GLOBAL_CTRL, BIT(1));
	vmwrite_safe(HOST_IA32_PERF_GLOBAL_CTRL, BIT(33));
	model_vm_entry();
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), BIT(1));
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, BIT(2));
	model_vm_exit();
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_GLOBAL_CTRL), BIT(33));
	CHECK_EQ_U64(vmread(GUEST_IA32_PERF_GLOBAL_CTRL), BIT(2));
	/* Without the save control the field keeps what the hypervisor wrote. */
	vmwrite_safe(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL);
	model_vm_entry();
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, BIT(3));
	model_vm_exit();
	CHECK_EQ_U64(vmread(GUEST_IA32_PERF_GLOBAL_CTRL), BIT(2));
}

/* The model decodes the bitmap as the SDM lays it out; arch/x86/vmx_bitmap.c writes it. */
TEST(pmu_model_msr_bitmap_says_which_guest_accesses_exit)
{
	u8 *bm = model_mem_map(0x100000, 4096, 0);

	vmwrite_safe(MSR_BITMAP, 0x100000);
	CHECK(model_msr_exits(MSR_P6_EVNTSEL0, true)); /* bitmaps not in use: everything exits */
	vmwrite_safe(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_MSR_BITMAPS);
	CHECK(!model_msr_exits(MSR_P6_EVNTSEL0, true));
	msr_bitmap_intercept(bm, MSR_P6_EVNTSEL0, MSR_INTERCEPT_WRITE);
	msr_bitmap_intercept(bm, MSR_EFER, MSR_INTERCEPT_READ);
	CHECK(model_msr_exits(MSR_P6_EVNTSEL0, true));
	CHECK(!model_msr_exits(MSR_P6_EVNTSEL0, false));
	CHECK(!model_msr_exits(MSR_P6_EVNTSEL0 + 1, true));
	CHECK(model_msr_exits(MSR_EFER, false));
	CHECK(!model_msr_exits(MSR_EFER, true));
	CHECK(model_msr_exits(0x40000100, false)); /* outside both ranges */
	CHECK(!model_rdpmc_exits());
	vmwrite_safe(CPU_BASED_VM_EXEC_CONTROL,
		     CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_RDPMC_EXITING);
	CHECK(model_rdpmc_exits());
}

TEST(pmu_model_logs_the_code_under_tests_accesses_only)
{
	const struct model_pmu_access *log;
	unsigned n;
	u64 v;

	model_pmu_install(true, true);
	model_pmu_write(MSR_IA32_PMC0 + 3, 77); /* the test's own: not logged */
	(void)model_pmu_read(MSR_IA32_PMC0 + 3);
	wrmsr(MSR_P6_EVNTSEL0 + 1, 0x42);
	CHECK_EQ_U64(rdmsr(MSR_CORE_PERF_GLOBAL_STATUS), 0);
	CHECK_EQ_U64(rdpmc(3), 77);
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_STATUS, 1));
	CHECK(rdpmc_safe(RDPMC_FIXED | 1, &v));
	log = model_pmu_log(&n);
	if (!CHECK_EQ_U64(n, 5))
		return;
	CHECK(log[0].op == MODEL_WRMSR && log[0].index == MSR_P6_EVNTSEL0 + 1 &&
	      log[0].value == 0x42 && !log[0].fault);
	CHECK(log[1].op == MODEL_RDMSR && log[1].index == MSR_CORE_PERF_GLOBAL_STATUS);
	CHECK(log[2].op == MODEL_RDPMC && log[2].index == 3 && log[2].value == 77);
	CHECK(log[3].op == MODEL_WRMSR && log[3].index == MSR_CORE_PERF_GLOBAL_STATUS &&
	      log[3].fault);
	CHECK(log[4].op == MODEL_RDPMC && log[4].index == (RDPMC_FIXED | 1));
	model_pmu_log_clear();
	model_pmu_log(&n);
	CHECK_EQ_U64(n, 0);
}

TEST(pmu_model_v5_has_four_fixed_counters_and_reports_the_bitmap)
{
	struct model_pmu_config v5 = {
		.version = 5, .nr_gp = 8, .nr_fixed = 4, .full_width_writes = true
	};
	struct cpuid_regs r;
	u64 v;

	model_pmu_install_config(&v5);
	model_pmu_set_cpuid();
	r = cpuid_count(CPUID_LEAF_PMU, 0);
	CHECK_EQ_U64(r.eax & 0xff, 5);
	CHECK_EQ_U64((r.eax >> 8) & 0xff, 8);
	CHECK_EQ_U64(r.edx & 0x1f, 4);
	CHECK_EQ_U64(r.ecx, 0xf);
	/* Fixed counter 3, PMC7 and the four FIXED_CTR_CTRL fields exist; nothing beyond. */
	CHECK(wrmsr_safe(MSR_CORE_PERF_FIXED_CTR0 + 3, 5));
	CHECK(rdpmc_safe(RDPMC_FIXED | 3, &v) && v == 5);
	CHECK(wrmsr_safe(MSR_IA32_PMC0_FW + 7, 9));
	CHECK(rdpmc_safe(7, &v) && v == 9);
	CHECK(wrmsr_safe(MSR_CORE_PERF_FIXED_CTR_CTRL, 0xffff));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_FIXED_CTR_CTRL, BIT(16)));
	CHECK(wrmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, 0xff | 0xfULL << GLOBAL_FIXED_SHIFT));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, BIT(36)));
	CHECK(!rdpmc_safe(RDPMC_FIXED | 4, &v));
	CHECK(!rdpmc_safe(8, &v));
	CHECK(wrmsr_safe(MSR_CORE_PERF_GLOBAL_STATUS_SET, BIT(35)));
	/* Fixed counter 3 counts like the others (field 3: bits 15:12). */
	model_pmu_write(MSR_CORE_PERF_FIXED_CTR_CTRL, (u64)FIXED_CTRL_OS << 12);
	model_pmu_write(MSR_CORE_PERF_GLOBAL_CTRL, BIT(35));
	model_pmu_run(MODEL_HOST, 10);
	CHECK_EQ_U64(model_pmu_read(MSR_CORE_PERF_FIXED_CTR0 + 3), 15);
	CHECK_EQ_U64(model_pmu_tally_fixed(MODEL_HOST, 3), 10);
}

TEST(pmu_model_v2_has_no_bitmap_and_no_status_set)
{
	struct model_pmu_config v2 = { .version = 2, .nr_gp = 2, .nr_fixed = 3 };
	struct cpuid_regs r;
	u64 v;

	model_pmu_install_config(&v2);
	model_pmu_set_cpuid();
	r = cpuid_count(CPUID_LEAF_PMU, 0);
	CHECK_EQ_U64(r.eax & 0xffff, 0x0202);
	CHECK_EQ_U64(r.edx & 0x1f, 3);
	CHECK_EQ_U64(r.ecx, 0);
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_STATUS_SET, 1));
	CHECK(!rdmsr_safe(MSR_IA32_PMC0 + 2, &v));
	CHECK(!wrmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, BIT(2)));
}
