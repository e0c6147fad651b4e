/* lib/sort.c: the medians and p99s in every results block come from it. */
#include "tests/unit/unit.h"
#include "lib/sort.h"

TEST(sort_u32_orders_any_input)
{
	u32 a[257];
	u32 seed = 12345;
	bool sorted = true;

	for (u32 i = 0; i < 257; i++) {
		seed = seed * 1103515245u + 12345u;
		a[i] = seed >> 8;
	}
	a[100] = 0xffffffffu;
	a[200] = 0;
	sort_u32(a, 257);
	for (u32 i = 1; i < 257; i++)
		sorted &= a[i - 1] <= a[i];
	CHECK(sorted);
	CHECK_EQ_U64(a[0], 0);
	CHECK_EQ_U64(a[256], 0xffffffffu);
}

TEST(sort_u32_small_and_empty)
{
	u32 one[1] = { 7 }, two[2] = { 9, 3 };

	sort_u32(one, 0);
	sort_u32(one, 1);
	sort_u32(two, 2);
	CHECK_EQ_U64(one[0], 7);
	CHECK_EQ_U64(two[0], 3);
	CHECK_EQ_U64(two[1], 9);
}
