/*
 * The end of a run. The real platform_stop() (arch/x86/stop.c) halts the
 * CPU for good after hv/base/machine.c wrote whatever ends the machine (those
 * writes reach io.c); this one records the status and jumps back to the
 * test, so that hv_fail() and hv_exit() paths can be checked like any other.
 */
#include <setjmp.h>

#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/platform.h"

struct model_platform model_platform;

static jmp_buf exit_env;
static bool armed;
/* File scope rather than locals so that nothing lives across setjmp. */
static void (*expect_fn)(void *arg);
static void *expect_arg;

void model_platform_reset(void)
{
	model_platform = (struct model_platform){ 0 };
	armed = false;
}

void platform_stop(u32 status)
{
	model_platform.exited = true;
	model_platform.exit_status = status;
	model_platform.exits++;
	if (!armed)
		unit_abort(__FILE__, __LINE__,
			   "model: platform_stop(%u) outside model_expect_exit()", status);
	armed = false;
	longjmp(exit_env, 1);
}

bool model_expect_exit(void (*fn)(void *arg), void *arg)
{
	expect_fn = fn;
	expect_arg = arg;
	model_platform.exited = false;
	if (setjmp(exit_env))
		return true;
	armed = true;
	expect_fn(expect_arg);
	armed = false;
	return false;
}
