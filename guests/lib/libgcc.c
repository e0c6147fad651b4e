/*
 * 64-bit unsigned division for 32-bit code. GCC turns u64 '/' and '%' into
 * calls to these libgcc routines (__udivmoddi4 where it wants both results), and we have no 32-bit libgcc (no
 * multilib). Not fast, only correct; printf is the main user.
 */
#include "lib/types.h"

u64 __udivdi3(u64 n, u64 d);
u64 __umoddi3(u64 n, u64 d);
u64 __udivmoddi4(u64 n, u64 d, u64 *rem);

/* Division by zero: raise #DE as the hardware (and libgcc) would, so the crash dump shows it. */
static u32 divide_by_zero(void)
{
	u32 lo = 1, hi = 0, zero = 0;

	/* In assembly: in C the compiler may assume the divisor is non-zero and fold the division away. */
	asm volatile("divl %[zero]" : "+a"(lo), "+d"(hi) : [zero] "r"(zero));
	return lo;
}

/* A 32-bit divisor: two DIVs, each taking the previous remainder as its high half. */
static u64 udivmod_32(u64 n, u32 d, u64 *rem)
{
	u32 q_high = (u32)(n >> 32) / d;
	u32 r = (u32)(n >> 32) % d;
	u32 q_low;

	asm("divl %[d]" : "=a"(q_low), "=d"(r) : "a"((u32)n), "d"(r), [d] "rm"(d));
	*rem = r;
	return (u64)q_high << 32 | q_low;
}

/* A divisor of 33 bits or more: shift and subtract, one quotient bit per step. */
static u64 udivmod_64(u64 n, u64 d, u64 *rem)
{
	u64 q = 0, r = 0;

	for (int bit = 63; bit >= 0; bit--) {
		bool carry = r >> 63; /* r << 1 overflows: the true r exceeds any d */

		r = r << 1 | ((n >> bit) & 1);
		if (carry || r >= d) {
			r -= d;
			q |= (u64)1 << bit;
		}
	}
	*rem = r;
	return q;
}

static u64 udivmod(u64 n, u64 d, u64 *rem)
{
	if (d == 0) {
		*rem = 0;
		return divide_by_zero();
	}
	if (d >> 32 == 0)
		return udivmod_32(n, (u32)d, rem);
	return udivmod_64(n, d, rem);
}

u64 __udivdi3(u64 n, u64 d)
{
	u64 rem;

	return udivmod(n, d, &rem);
}

u64 __umoddi3(u64 n, u64 d)
{
	u64 rem;

	udivmod(n, d, &rem);
	return rem;
}

u64 __udivmoddi4(u64 n, u64 d, u64 *rem)
{
	u64 r;
	u64 q = udivmod(n, d, &r);

	if (rem)
		*rem = r;
	return q;
}
