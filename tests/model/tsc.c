/* The time-stamp counter: predictable, so that time limits can be tested. */
#include "tests/model/model.h"
#include "arch/x86/cr.h"

static u64 tsc, tsc_step, reads;

void model_tsc_reset(void)
{
	tsc = 0;
	tsc_step = 1;
	reads = 0;
}

u64 model_tsc_reads(void)
{
	return reads;
}

void model_tsc_set(u64 value, u64 step)
{
	tsc = value;
	tsc_step = step;
}

u64 rdtsc(void)
{
	u64 v = tsc;

	tsc += tsc_step;
	reads++;
	return v;
}
