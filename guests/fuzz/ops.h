/* The fuzz guest's operation kinds (guests/fuzz/ops.c). */
#ifndef FUZZ_OPS_H
#define FUZZ_OPS_H

#include "lib/types.h"

struct op_kind {
	const char *name;
	/* Generates one random operation, runs it, describes it; true if it faulted. */
	bool (*run)(void);
	/* Its outcome legitimately differs under a hypervisor: printed as "fz-hv:", not hashed. */
	bool hv_specific;
};

extern const struct op_kind op_kinds[];
extern const u32 op_kind_count;
extern const u64 op_kinds_default; /* every kind but those that end or hang the run */

void ops_init(void);
void fz_reset_tss_b(void);

#endif
