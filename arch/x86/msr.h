/*
 * Model-specific registers, sorted by index. Names follow Linux's
 * msr-index.h; the SDM name is noted where it differs. Bit fields are
 * indented under their MSR. Intel SDM Vol. 4, "Model-Specific Registers".
 */
#ifndef ARCH_X86_MSR_H
#define ARCH_X86_MSR_H

#include "lib/types.h"

#define MSR_IA32_TSC 0x00000010	 /* SDM: IA32_TIME_STAMP_COUNTER */
#define MSR_SMI_COUNT 0x00000034 /* read-only, bits 31:0; Nehalem and later */
#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define FEAT_CTL_LOCKED BIT(0)
#define FEAT_CTL_VMX_ENABLED_INSIDE_SMX BIT(1)
#define FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX BIT(2)
#define MSR_IA32_TSC_ADJUST 0x0000003b /* CPUID.(EAX=7,ECX=0):EBX[1] */
#define MSR_IA32_UCODE_REV 0x0000008b  /* SDM: IA32_BIOS_SIGN_ID */
#define MSR_IA32_PMC0 0x000000c1       /* + i: IA32_PMCi */
#define MSR_TSX_FORCE_ABORT 0x0000010f /* CPUID.(EAX=7,ECX=0):EDX[13] */
#define MSR_TFA_RTM_FORCE_ABORT BIT(0) /* clear: the microcode may use PMC3 for TSX */
#define MSR_TFA_TSX_CPUID_CLEAR BIT(1)
#define MSR_TFA_SDV_ENABLE_RTM BIT(2)
#define MSR_IA32_PERF_CAPABILITIES 0x00000345 /* CPUID.1:ECX.PDCM */
#define PERF_CAP_LBR_FMT 0x3f
#define PERF_CAP_PEBS_MASK 0xfc0   /* PEBS trap, arch regs, record format */
#define PERF_CAP_FW_WRITE BIT(13)  /* IA32_A_PMCx full-width writes */
#define MSR_P6_EVNTSEL0 0x00000186 /* SDM: IA32_PERFEVTSEL0 */
#define ARCH_PERFMON_EVENTSEL_USR BIT(16)
#define ARCH_PERFMON_EVENTSEL_OS BIT(17)
#define ARCH_PERFMON_EVENTSEL_INT BIT(20)
#define ARCH_PERFMON_EVENTSEL_ENABLE BIT(22)
#define MSR_CORE_PERF_FIXED_CTR0 0x00000309 /* SDM: IA32_FIXED_CTR0 */
#define MSR_CORE_PERF_FIXED_CTR_CTRL 0x0000038d
#define MSR_CORE_PERF_GLOBAL_STATUS 0x0000038e
/* Bits of no counter; which of them GLOBAL_OVF_CTRL and GLOBAL_STATUS_SET take varies. */
#define GLOBAL_STATUS_PERF_METRICS_OVF BIT(48) /* PERF_METRICS overflow */
#define GLOBAL_STATUS_TRACE_TOPAPMI BIT(55)    /* Intel PT ToPA PMI */
#define GLOBAL_STATUS_LBRS_FROZEN BIT(58)      /* LBR_Frz */
#define GLOBAL_STATUS_COUNTERS_FROZEN BIT(59)  /* CTR_Frz */
#define GLOBAL_STATUS_BUFFER_OVF BIT(62)       /* PEBS/DS buffer (OvfBuffer) */
#define GLOBAL_STATUS_COND_CHG BIT(63)	       /* CondChgd: set by the CPU itself */
#define MSR_CORE_PERF_GLOBAL_CTRL 0x0000038f
#define MSR_CORE_PERF_GLOBAL_OVF_CTRL 0x00000390   /* SDM: IA32_PERF_GLOBAL_STATUS_RESET (v4+) */
#define MSR_CORE_PERF_GLOBAL_STATUS_SET 0x00000391 /* PerfMon v4+ */
#define MSR_IA32_PEBS_ENABLE 0x000003f1
#define MSR_IA32_RTIT_CTL 0x00000570 /* Intel PT: CPUID.(EAX=7,ECX=0):EBX[25] */
#define MSR_IA32_DS_AREA 0x00000600
#define MSR_IA32_DEBUGCTLMSR 0x000001d9
#define DEBUGCTLMSR_LBR BIT(0)
#define DEBUGCTLMSR_BTF BIT(1) /* single-step on branches only */
#define DEBUGCTLMSR_FREEZE_PERFMON_ON_PMI BIT(12)
#define DEBUGCTLMSR_FREEZE_IN_SMM BIT(14)
#define MSR_IA32_PMC0_FW 0x000004c1 /* SDM: IA32_A_PMC0 */

#define MSR_IA32_VMX_BASIC 0x00000480
#define MSR_IA32_VMX_PINBASED_CTLS 0x00000481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x00000482
#define MSR_IA32_VMX_EXIT_CTLS 0x00000483
#define MSR_IA32_VMX_ENTRY_CTLS 0x00000484
#define MSR_IA32_VMX_MISC 0x00000485
#define MSR_IA32_VMX_CR0_FIXED0 0x00000486
#define MSR_IA32_VMX_CR0_FIXED1 0x00000487
#define MSR_IA32_VMX_CR4_FIXED0 0x00000488
#define MSR_IA32_VMX_CR4_FIXED1 0x00000489
#define MSR_IA32_VMX_VMCS_ENUM 0x0000048a
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x0000048b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x0000048c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x0000048d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x0000048e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x0000048f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x00000490
#define MSR_IA32_VMX_VMFUNC 0x00000491
#define MSR_IA32_VMX_PROCBASED_CTLS3 0x00000492 /* tertiary processor-based controls */
#define MSR_IA32_VMX_EXIT_CTLS2 0x00000493	/* secondary VM-exit controls */

#define MSR_IA32_CR_PAT 0x00000277
#define MSR_IA32_TSC_DEADLINE 0x000006e0 /* CPUID.1:ECX[24] */
#define MSR_MTRRcap 0x000000fe
#define MSR_MTRRdefType 0x000002ff

#define MSR_X2APIC_ICR 0x00000830

#define MSR_EFER 0xc0000080
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NX BIT(11)
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101

#ifndef __ASSEMBLY__
#ifdef HOST_MODEL
u64 rdmsr(u32 msr);
void wrmsr(u32 msr, u64 v);

static inline void rdmsr_to(u32 msr, u64 *dst)
{
	*dst = rdmsr(msr);
}

static inline void wrmsr_from(u32 msr, const u64 *src)
{
	wrmsr(msr, *src);
}
#else
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

/* The halves of a u64 in memory, as EDX:EAX holds them (little-endian: low half first). */
typedef u32 __attribute__((may_alias)) u32_half;

/*
 * An MSR to and from memory, half by half: no shift and OR to join the
 * halves, none to split them. For the straight lines of a PMU switch
 * (hv/pmu/switch.h), where each instruction shows in the exit's cost.
 */
static inline void rdmsr_to(u32 msr, u64 *dst)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	((u32_half *)dst)[0] = lo;
	((u32_half *)dst)[1] = hi;
}

static inline void wrmsr_from(u32 msr, const u64 *src)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"(((const u32_half *)src)[0]), "d"(((const u32_half *)src)[1])
		     : "memory");
}
#endif

/*
 * Variants that survive a #GP (an MSR the CPU or emulator lacks) and
 * return false instead. Implemented with an exception fixup (extable.h).
 */
bool rdmsr_safe(u32 msr, u64 *v);
bool wrmsr_safe(u32 msr, u64 v);
#endif /* __ASSEMBLY__ */

#endif
