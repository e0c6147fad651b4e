/*
 * hv/exit/vmexit.c: an exit reason without a handler is the hypervisor's
 * gap, not the guest's crash: status 4, with the guest state and the
 * exit fields on the console.
 */
#include "tests/unit/unit.h"
#include "tests/unit/pmu_machine.h"
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"
#include "arch/x86/vmx_entry.h"
#include "hv/exit/vmexit.h"
#include "hv/base/status.h"
#include "arch/x86/vmx.h"

static void take_exit(void *arg)
{
	(void)arg;
	vmexit_handler();
}

TEST(unexpected_exit_ends_with_status_4_and_a_dump)
{
	static const struct pmu_machine m = { .hv_args = "pmu=off" };

	pmu_machine_launch(&m);
	pmu_machine_vm_exit(EXIT_REASON_DR_ACCESS, 0x13);
	pmu_machine_zero_report_fields();
	model_com1_clear();
	if (!CHECK(model_expect_exit(take_exit, NULL)))
		return;
	CHECK_EQ_U64(model_platform.exit_status, HV_STATUS_HV_FAULT);
	CHECK_CONTAINS(model_com1_output(), "unexpected VM exit 29 (DR_ACCESS)");
	CHECK_CONTAINS(model_com1_output(), "exit reason 0x1d qualification 0x13");
	CHECK_CONTAINS(model_com1_output(), "guest RIP=");
}
