/*
 * Architectural performance monitoring. Intel SDM Vol. 3B, "Architectural
 * Performance Monitoring", and Vol. 2A, CPUID leaf 0AH.
 */
#ifndef ARCH_X86_PMU_H
#define ARCH_X86_PMU_H

#include "../../lib/types.h"

#define PMU_MAX_GP 8
#define PMU_MAX_FIXED 4

/* RDPMC ECX: bit 30 selects the fixed-function counters. */
#define RDPMC_FIXED BIT(30)

/* IA32_PERF_GLOBAL_CTRL / _STATUS: fixed counter j is bit 32 + j. */
#define GLOBAL_FIXED_SHIFT 32

/* CPUID.0AH, decoded. */
struct pmu_caps {
	u8 version;          /* EAX 7:0 */
	u8 nr_gp;            /* EAX 15:8 */
	u8 gp_width;         /* EAX 23:16 */
	u8 ebx_len;          /* EAX 31:24: valid bits of EBX */
	u32 events_unavail;  /* EBX: set bit = architectural event not available */
	u8 nr_fixed;         /* EDX 4:0 (v2+) */
	u8 fixed_width;      /* EDX 12:5 (v2+) */
	u32 fixed_bitmap;    /* ECX (v5+): fixed counters supported, may be sparse */
};

static inline struct pmu_caps pmu_caps_decode(u32 eax, u32 ebx, u32 ecx, u32 edx)
{
	struct pmu_caps c = {
		.version = eax & 0xff,
		.nr_gp = (eax >> 8) & 0xff,
		.gp_width = (eax >> 16) & 0xff,
		.ebx_len = (eax >> 24) & 0xff,
		.events_unavail = ebx,
	};
	if (c.version >= 2) {
		c.nr_fixed = edx & 0x1f;
		c.fixed_width = (edx >> 5) & 0xff;
	}
	c.fixed_bitmap = c.version >= 5 ? ecx : 0;
	return c;
}

#endif
