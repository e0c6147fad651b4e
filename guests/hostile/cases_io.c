/*
 * Port I/O the hypervisor intercepts only in part: accesses that straddle
 * into an intercepted port or wrap past 0xffff exit although their first
 * port is not intercepted, and string I/O to intercepted ports.
 */
#include "guests/hostile/cases.h"
#include "guests/hostile/insn.h"
#include "hv/base/hypercall.h"

#define STRING_COUNT 4

static u32 in32(u16 port)
{
	u32 v;

	asm volatile("inl %%dx, %%eax" : "=a"(v) : "d"(port));
	return v;
}

void case_io_straddle_exit_port(void)
{
	u32 v = in32(GUEST_EXIT_PORT - 2);

	CHECK(1, "IN EAX, 0x%x (ports 0x%x-0x%x) returned 0x%08x", GUEST_EXIT_PORT - 2,
	      GUEST_EXIT_PORT - 2, GUEST_EXIT_PORT + 1, v);
}

void case_io_straddle_test_port(void)
{
	u32 v = in32(HV_TEST_PORT - 2);

	CHECK(1, "IN EAX, 0x%x (ports 0x%x-0x%x) returned 0x%08x", HV_TEST_PORT - 2,
	      HV_TEST_PORT - 2, HV_TEST_PORT + 1, v);
}

void case_io_wrap(void)
{
	u16 v;

	asm volatile("inw %%dx, %%ax" : "=a"(v) : "d"(0xffff));
	CHECK(1, "IN AX, 0xffff (wraps to port 0) returned 0x%04x", v);
}

void case_string_ins_test_port(void)
{
	static u32 buf[STRING_COUNT + 1];
	u32 *di = buf, count = STRING_COUNT;

	asm volatile("cld; rep insl" : "+D"(di), "+c"(count) : "d"(HV_TEST_PORT) : "memory");
	for (int i = 0; i < STRING_COUNT; i++)
		CHECK(buf[i] == HC_PING_MAGIC, "REP INSD element %d: 0x%08x", i, buf[i]);
	CHECK(buf[STRING_COUNT] == 0, "REP INSD stopped after %d elements", STRING_COUNT);
	CHECK(count == 0 && di == buf + STRING_COUNT, "ECX %u, EDI advanced by %d bytes", count,
	      (int)((di - buf) * 4));
}

/* The status comes from memory; EAX holds a wrong one that must not be used. */
void case_string_outs_exit_port(void)
{
	static const u32 status = GUEST_STATUS_PASS;
	const u32 *si = &status;
	u32 count = 1;

	guest_flush();
	asm volatile("cld; rep outsl"
		     : "+S"(si), "+c"(count)
		     : "d"(GUEST_EXIT_PORT), "a"(GUEST_STATUS_FAIL)
		     : "memory");
	CHECK(0, "REP OUTSD to the exit port returned");
}
