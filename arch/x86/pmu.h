/*
 * Architectural performance monitoring. Intel SDM Vol. 3B, "Architectural
 * Performance Monitoring", and Vol. 2A, CPUID leaf 0AH.
 */
#ifndef ARCH_X86_PMU_H
#define ARCH_X86_PMU_H

#include "arch/x86/msr.h"

#define PMU_MAX_GP 8
#define PMU_MAX_FIXED 4

/* RDPMC ECX: bit 30 selects the fixed-function counters. */
#define RDPMC_FIXED BIT(30)

/* IA32_PERF_GLOBAL_CTRL / _STATUS: fixed counter j is bit 32 + j. */
#define GLOBAL_FIXED_SHIFT 32

/* Fixed-function counters: 0 instructions retired, 1 unhalted core cycles, 2 reference cycles. */
#define FIXED_INSTRUCTIONS 0
#define FIXED_CORE_CYCLES 1
/* IA32_FIXED_CTR_CTRL: 4 bits per counter; bit 0 counts ring 0, bit 1 rings > 0, bit 3 PMI. */
#define FIXED_CTRL_BITS 4
#define FIXED_CTRL_OS 0x1

static inline u32 msr_pmc(unsigned i, bool full_width)
{
	return (full_width ? MSR_IA32_PMC0_FW : MSR_IA32_PMC0) + i;
}

static inline u32 msr_evtsel(unsigned i)
{
	return MSR_P6_EVNTSEL0 + i;
}

static inline u32 msr_fixed_ctr(unsigned j)
{
	return MSR_CORE_PERF_FIXED_CTR0 + j;
}

/* GLOBAL_CTRL/STATUS bit of GP counter i or fixed counter j. */
static inline u64 global_bit_gp(unsigned i)
{
	return BIT(i);
}

static inline u64 global_bit_fixed(unsigned j)
{
	return BIT(GLOBAL_FIXED_SHIFT + j);
}

#ifdef HOST_MODEL
u64 rdpmc(u32 ecx);
bool rdpmc_safe(u32 ecx, u64 *value);

static inline void rdpmc_to(u32 ecx, u64 *dst)
{
	*dst = rdpmc(ecx);
}
#else
static inline u64 rdpmc(u32 ecx)
{
	u32 lo, hi;
	asm volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(ecx));
	return ((u64)hi << 32) | lo;
}

/* RDPMC to memory, half by half, as rdmsr_to() (arch/x86/msr.h). */
static inline void rdpmc_to(u32 ecx, u64 *dst)
{
	u32 lo, hi;
	asm volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(ecx));
	((u32_half *)dst)[0] = lo;
	((u32_half *)dst)[1] = hi;
}

/* RDPMC of a counter the CPU (or emulator) does not have #GPs. */
bool rdpmc_safe(u32 ecx, u64 *value);
#endif

/* The low n bits of a 32-bit mask (n may be 32 or more). */
static inline u32 pmu_low_bits(unsigned n)
{
	return n >= 32 ? ~0u : (u32)(BIT(n) - 1);
}

/* CPUID.0AH, decoded; the counters present, from it or from leaf 23H. */
struct pmu_caps {
	u8 version;	    /* EAX 7:0 */
	u8 nr_gp;	    /* EAX 15:8 */
	u8 gp_width;	    /* EAX 23:16 */
	u8 ebx_len;	    /* EAX 31:24: valid bits of EBX */
	u32 events_unavail; /* EBX: set bit = architectural event not available */
	u8 nr_fixed;	    /* EDX 4:0 (v2+) */
	u8 fixed_width;	    /* EDX 12:5 (v2+) */
	u32 fixed_bitmap;   /* ECX (v5+): fixed counters supported, may be sparse */
	/*
	 * The counters present, bit i for counter i. From CPUID.0AH: the first
	 * nr_gp GP counters; fixed counter i where i < EDX[4:0] or ECX[i]
	 * (Intel SDM Vol. 2A, CPUID leaf 0AH). pmu_caps_from_ext_leaf()
	 * replaces both with leaf 23H's bitmaps.
	 */
	u32 gp_mask, fixed_mask;
	bool ext_leaf; /* the masks are leaf 23H's */
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
	c.gp_mask = pmu_low_bits(c.nr_gp);
	c.fixed_mask = pmu_low_bits(c.nr_fixed) | c.fixed_bitmap;
	return c;
}

/*
 * CPUID leaf 23H, the architectural performance monitoring extended leaf,
 * present where CPUID.(7,1):EAX[8] is set (Intel SDM Vol. 2A). Subleaf 0:
 * EAX the valid subleaves, EBX PERFEVTSEL features (UMask2, EQ). Subleaf 1:
 * EAX the GP counters, EBX the fixed counters of this logical processor,
 * as bitmaps; on a hybrid part they differ between core types where
 * CPUID.0AH gives what every core type has. Subleaf 2: auto counter
 * reload; 3: the architectural events; 4, 5: architectural PEBS.
 */
#define PMU_EXT_SUBLEAF_COUNTERS 1
#define PMU_EXT_SUBLEAF_ACR 2
#define PMU_EXT_SUBLEAF_EVENTS 3
#define PMU_EXT_EBX_UMASK2 BIT(0)
#define PMU_EXT_EBX_EQ BIT(1)

static inline void pmu_caps_from_ext_leaf(struct pmu_caps *c, u32 gp_bitmap, u32 fixed_bitmap)
{
	c->gp_mask = gp_bitmap;
	c->fixed_mask = fixed_bitmap;
	c->ext_leaf = true;
}

#endif
