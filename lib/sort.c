#include "lib/sort.h"

void sort_u32(u32 *a, u32 n)
{
	for (u32 gap = n / 2; gap; gap /= 2)
		for (u32 i = gap; i < n; i++) {
			u32 v = a[i], j = i;
			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
}
