/*
 * CPUID leaves and bits used by pmuvisor. Intel SDM Vol. 2A, "CPUID--CPU
 * Identification".
 */
#ifndef ARCH_X86_CPUID_H
#define ARCH_X86_CPUID_H

#include "lib/types.h"

#define CPUID_1_ECX_MONITOR BIT(3)
#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_ECX_SMX BIT(6)
#define CPUID_1_ECX_PDCM BIT(15) /* IA32_PERF_CAPABILITIES present */
#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_1_ECX_OSXSAVE BIT(27) /* CR4.OSXSAVE of the processor executing CPUID */
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_1_EDX_DS BIT(21)		    /* debug store: IA32_DS_AREA */
#define CPUID_7_EDX_TSX_FORCE_ABORT BIT(13) /* MSR_TSX_FORCE_ABORT present */
#define CPUID_7_EBX_SGX BIT(2)
#define CPUID_7_EBX_INVPCID BIT(10)
#define CPUID_7_EBX_INTEL_PT BIT(25)
#define CPUID_7_ECX_OSPKE BIT(4)   /* CR4.PKE of the processor executing CPUID */
#define CPUID_7_ECX_WAITPKG BIT(5) /* TPAUSE, UMONITOR, UMWAIT */
#define CPUID_7_ECX_RDPID BIT(22)
#define CPUID_7_ECX_SGX_LC BIT(30)
#define CPUID_7_EDX_PCONFIG BIT(18)
#define CPUID_D_1_EAX_XSAVES BIT(3) /* XSAVES, XRSTORS and IA32_XSS */
#define CPUID_LEAF_EXT_FEATURES 0x80000001
#define CPUID_80000001_EDX_SYSCALL BIT(11) /* Intel: set only in 64-bit mode */
#define CPUID_80000001_EDX_PDPE1GB BIT(26)
#define CPUID_80000001_EDX_RDTSCP BIT(27)
#define CPUID_80000001_EDX_LM BIT(29)

#define CPUID_LEAF_MONITOR 0x5
#define CPUID_LEAF_PMU 0xa
#define CPUID_LEAF_XSAVE 0xd
#define CPUID_LEAF_SGX 0x12
#define CPUID_LEAF_INTEL_PT 0x14
#define CPUID_LEAF_ARCH_LBR 0x1c
#define CPUID_LEAF_HV_BASE 0x40000000
/* Hybrid parts: a core type per logical processor (CPUID.1AH:EAX[31:24]). */
#define CPUID_7_EDX_HYBRID BIT(15)
#define CPUID_LEAF_NATIVE_MODEL 0x1a
#define CPUID_1A_CORE_TYPE(eax) ((eax) >> 24)
#define CPUID_CORE_TYPE_ATOM 0x20 /* E-core */
#define CPUID_CORE_TYPE_CORE 0x40 /* P-core */
/* CPUID.(7,1):EAX[8]: leaf 23H, the architectural performance monitoring extended leaf. */
#define CPUID_7_1_EAX_ARCH_PERFMON_EXT BIT(8)
#define CPUID_LEAF_PMU_EXT 0x23 /* subleaf 0 EAX: which subleaves are valid */

#ifndef __ASSEMBLY__
struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

#ifdef HOST_MODEL
struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf);
#else
static inline struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}
#endif

/*
 * CPUID on 64-bit registers as a guest left them: it reads only EAX and
 * ECX, and in 64-bit mode clears bits 63:32 of RAX, RBX, RCX and RDX (SDM
 * Vol. 2A, "CPUID"), so neither the inputs nor the four results need a
 * zero extension.
 */
#ifdef HOST_MODEL
static inline void cpuid_count_wide(u64 leaf, u64 subleaf, u64 *rax, u64 *rbx, u64 *rcx, u64 *rdx)
{
	struct cpuid_regs r = cpuid_count((u32)leaf, (u32)subleaf);

	*rax = r.eax;
	*rbx = r.ebx;
	*rcx = r.ecx;
	*rdx = r.edx;
}
#else
static inline void cpuid_count_wide(u64 leaf, u64 subleaf, u64 *rax, u64 *rbx, u64 *rcx, u64 *rdx)
{
	asm volatile("cpuid"
		     : "=a"(*rax), "=b"(*rbx), "=c"(*rcx), "=d"(*rdx)
		     : "a"(leaf), "c"(subleaf));
}
#endif

static inline struct cpuid_regs cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

/* MAXPHYADDR: CPUID.80000008H:EAX[7:0], or 36 where the leaf is absent (SDM Vol. 3A, "Physical Address Space"). */
static inline unsigned cpuid_phys_addr_bits(void)
{
	if (cpuid(0x80000000).eax < 0x80000008)
		return 36;
	return cpuid(0x80000008).eax & 0xff;
}
#endif /* __ASSEMBLY__ */

#endif
