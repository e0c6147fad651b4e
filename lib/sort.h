/* Sorting for the statistics the hypervisor and the benchmark guest report. */
#ifndef LIB_SORT_H
#define LIB_SORT_H

#include "lib/types.h"

/* Ascending, in place; Shell sort: no recursion, no allocation, fast enough for thousands. */
void sort_u32(u32 *a, u32 n);

#endif
