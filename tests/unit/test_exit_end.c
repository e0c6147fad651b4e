/*
 * hv/exit/vmexit.c: a handler, or a helper deep in one, only asks for the
 * end of the guest (guest_stop()), printing nothing; the exit dispatcher
 * ends it, once, with the line the request gave and the run's status, and
 * nothing of the exiting instruction runs on: RIP, RSI and RCX stay where
 * they were. (Ends with status 0, 1 or 5 would go on to the next run, which
 * this machine has none of: for those the request is checked.)
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/unit/pmu_machine.h"
#include "tests/model/model.h"
#include "arch/x86/vmx_entry.h"
#include "arch/x86/cr.h"
#include "arch/x86/memmap.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/io.h"
#include "hv/exit/vmexit.h"
#include "hv/base/hypercall.h"
#include "hv/base/status.h"
#include "arch/x86/vmx.h"

#define RIP 0x1000
#define BUF 0x2000
#define IO_QUAL_STRING BIT(4)
#define IO_QUAL_REP BIT(5)
#define IO_QUAL_PORT(p) ((u64)(p) << 16)
#define INSN_INFO_ADDR32 (1u << 7)

/* Guest RAM for emulated accesses: the first MiB only. */
static const struct mem_region guest_ram[] = { { 0, 0x100000, ADDRESS_RANGE_MEMORY } };

static void take_exit(void *arg)
{
	(void)arg;
	vmexit_handler();
}

static unsigned count(const char *s, const char *needle)
{
	unsigned n = 0;

	for (; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

/* A 32-bit guest in protected mode without paging, at RIP, in ring 0. */
static void launch(const char *hv_args)
{
	struct pmu_machine m = { .hv_args = hv_args };

	pmu_machine_launch(&m);
	vcpu.mem.regions = guest_ram;
	vcpu.mem.nr_regions = 1;
	vmwrite(GUEST_CR0, X86_CR0_PE);
	vmwrite(GUEST_CR3, 0);
	vmwrite(GUEST_RIP, RIP);
}

/* The exit of REP OUTSB of `len` bytes at `linear` to `port`. */
static void rep_outsb_exit(u16 port, u64 linear, u64 len)
{
	vcpu.regs->rsi = linear;
	vcpu.regs->rcx = len;
	pmu_machine_vm_exit(EXIT_REASON_IO_INSTRUCTION,
			    IO_QUAL_PORT(port) | IO_QUAL_STRING | IO_QUAL_REP);
	vmwrite(VMX_INSTRUCTION_INFO, INSN_INFO_ADDR32);
	vmwrite(GUEST_LINEAR_ADDRESS, linear);
	model_com1_clear();
}

/* Nothing of the instruction ran on: no element was counted, RIP was not stepped. */
static void check_not_run_on(u64 linear, u64 len)
{
	CHECK_EQ_U64(vcpu.regs->rsi, linear);
	CHECK_EQ_U64(vcpu.regs->rcx, len);
	CHECK_EQ_U64(vmread(GUEST_RIP), RIP);
}

/* The end was asked for with this status and reason, and nothing was printed. */
static void check_asked(int status, const char *reason)
{
	CHECK(guest_stop_requested());
	CHECK_EQ_U64(vcpu.end_status, status);
	CHECK_STR(vcpu.end_reason, reason);
	CHECK_STR(model_com1_output(), "");
}

TEST(rep_outs_to_the_exit_port_asks_for_the_end_at_its_first_element)
{
	launch("pmu=off");
	memset(model_mem_ptr(BUF, 3), 0, 3);
	rep_outsb_exit(GUEST_EXIT_PORT, BUF, 3);
	CHECK_EQ_U64(handle_io(), EXIT_END);
	check_asked(HV_STATUS_OK, "guest wrote status 0 to port 0xf4");
	check_not_run_on(BUF, 3);
}

TEST(out_of_a_failure_status_to_the_exit_port_asks_for_the_end_with_status_1)
{
	launch("pmu=off");
	vcpu.regs->rax = 0x102; /* OUT AL: only the low byte is written */
	pmu_machine_vm_exit(EXIT_REASON_IO_INSTRUCTION, IO_QUAL_PORT(GUEST_EXIT_PORT));
	model_com1_clear();
	CHECK_EQ_U64(handle_io(), EXIT_END);
	check_asked(HV_STATUS_GUEST_FAILED, "guest wrote status 2 to port 0xf4");
	CHECK_EQ_U64(vmread(GUEST_RIP), RIP);
}

/* The first request is the end: a second one (none should come) does not rewrite it. */
TEST(the_first_end_request_is_the_one_kept)
{
	launch("pmu=off");
	model_com1_clear();
	CHECK_EQ_U64(guest_stop(HV_STATUS_OK, "first %d", 1), EXIT_END);
	CHECK_EQ_U64(guest_stop(HV_STATUS_HV_FAULT, "second"), EXIT_END);
	check_asked(HV_STATUS_OK, "first 1");
}

/* Past the time limit the check asks for the end; the dispatcher ends the guest after the handler. */
TEST(a_time_limit_past_asks_for_the_end)
{
	launch("pmu=off guest_limit=5");
	vcpu.deadline_tsc = 1; /* the model's TSC is far past it */
	model_com1_clear();
	CHECK(!vmexit_check_time_limit());
	check_asked(HV_STATUS_GUEST_CRASHED, "time limit of 5 TSC ticks reached");
}

/*
 * End to end through the dispatcher: the memory operand outside guest
 * RAM, the translation deep in the handler asks for the end and the
 * element stops there: the port is never written (that would end the
 * guest with status 0), the guest ends once with the translation's line.
 */
TEST(outs_from_memory_that_is_not_guest_ram_ends_the_guest_once_before_the_port)
{
	const char *line = "pmuvisor: error: guest stopped: emulated access to guest-linear "
			   "0x100000: its memory (or a page table) is not guest RAM; guest RIP "
			   "0x1000\r\n";
	u64 outside = guest_ram[0].base + guest_ram[0].len;

	launch("pmu=off");
	rep_outsb_exit(GUEST_EXIT_PORT, outside, 3);
	if (!CHECK(model_expect_exit(take_exit, NULL)))
		return;
	CHECK_EQ_U64(model_platform.exit_status, HV_STATUS_HV_FAULT);
	/* The line comes first: nothing of the instruction printed before it. */
	CHECK(!strncmp(model_com1_output(), line, strlen(line)));
	CHECK_EQ_U64(count(model_com1_output(), "guest stopped"), 1);
	CHECK_EQ_U64(count(model_com1_output(), "guest ended"), 0);
	check_not_run_on(outside, 3);
}
