/*
 * pmu-count: what the guest's files share. Names follow Linux's
 * msr-index.h, perf_event.h and apicdef.h, except the counters' own MSRs,
 * named as in this tree's arch/x86/msr.h (its MSR_IA32_PMC0 is 0xc1,
 * Linux's MSR_ARCH_PERFMON_PERFCTR0; its MSR_IA32_PMC0_FW is Linux's
 * MSR_IA32_PMC0); the SDM's name is noted where it differs. Intel SDM Vol.
 * 3B, "Architectural Performance Monitoring"; Vol. 4, "Model-Specific
 * Registers".
 */
#ifndef GUESTS_PMU_COUNT_H
#define GUESTS_PMU_COUNT_H

#define MSR_IA32_PMC0 0xc1		 /* + x: IA32_PMCx, writes sign-extended from bit 31 */
#define MSR_IA32_PERF_CAPABILITIES 0x345 /* CPUID.1:ECX.PDCM */
#define PERF_CAP_FW_WRITE (1 << 13)	 /* IA32_A_PMCx full-width writes */
#define MSR_P6_EVNTSEL0 0x186		 /* + x: SDM IA32_PERFEVTSELx */
#define ARCH_PERFMON_EVENTSEL_USR (1 << 16)
#define ARCH_PERFMON_EVENTSEL_OS (1 << 17)
#define ARCH_PERFMON_EVENTSEL_INT (1 << 20)
#define ARCH_PERFMON_EVENTSEL_ENABLE (1 << 22)
#define MSR_CORE_PERF_FIXED_CTR0 0x309 /* + j: SDM IA32_FIXED_CTRj */
#define MSR_CORE_PERF_FIXED_CTR_CTRL 0x38d
#define FIXED_CTR_CTRL_OS 0x1  /* field bit 0: count at CPL 0 */
#define FIXED_CTR_CTRL_USR 0x2 /* field bit 1: count at CPL > 0 */
#define FIXED_CTR_CTRL_PMI 0x8 /* field bit 3: PMI on overflow */
#define FIXED_CTR_CTRL_BITS 4  /* one field per fixed counter */
#define MSR_CORE_PERF_GLOBAL_STATUS 0x38e
#define MSR_CORE_PERF_GLOBAL_CTRL 0x38f
#define MSR_CORE_PERF_GLOBAL_OVF_CTRL 0x390   /* SDM: IA32_PERF_GLOBAL_STATUS_RESET */
#define MSR_CORE_PERF_GLOBAL_STATUS_SET 0x391 /* PerfMon v4+ */
#define GLOBAL_FIXED_SHIFT 32		      /* GLOBAL_CTRL/STATUS: bit 32 + j for fixed j */
#define GLOBAL_STATUS_BUFFER_OVF_BIT 62
#define GLOBAL_STATUS_COND_CHG_BIT 63
#define MSR_IA32_PMC0_FW 0x4c1 /* + x: SDM IA32_A_PMCx */

#define RDPMC_FIXED (1 << 30) /* ECX bit 30: a fixed counter */

#define APIC_DEFAULT_PHYS_BASE 0xfee00000 /* xAPIC MMIO; flat, unpaged: identity */
#define APIC_TASKPRI 0x80
#define APIC_EOI 0xb0
#define APIC_SPIV 0xf0
#define APIC_SPIV_APIC_ENABLED (1 << 8)
#define APIC_LVTT 0x320	 /* LVT timer entry: one-shot with bit 17 clear */
#define APIC_LVTPC 0x340 /* LVT performance-counter entry */
#define APIC_TMICT 0x380 /* timer initial count */
#define APIC_TDCR 0x3e0	 /* timer divide configuration */
#define APIC_TDR_DIV_1 0xb
#define APIC_LVT_MASKED (1 << 16)
#define APIC_DM_FIXED 0x000
#define APIC_DM_NMI 0x400

/* pmu-count's own IDT vectors. */
#define PC_VECTOR_NMI 2
#define PC_VECTOR_PMI 0xe0	  /* the LVTPC vector in fixed delivery mode */
#define PC_VECTOR_RING3_EXIT 0x80 /* INT 0x80 from CPL 3: back to the caller at CPL 0 */
#define PC_VECTOR_SPURIOUS 0xff

/*
 * What the windows of window.S retire, counted by hand from their code. A
 * ring-0 window: the WRMSR that starts counting (it counts, per
 * docs/bochs-pmu.md), N times DEC and JNZ, two XORs that set up the WRMSR
 * that stops counting (which does not count). Each JNZ is a branch, taken
 * or not. A ring-3 window: at CPL 0 the starting WRMSR, the INT 0x80 that
 * comes back from CPL 3 (the CPL after an instruction is the one that
 * counts) and three instructions before the stopping WRMSR; at CPL 3 the
 * IRET that goes there and the loop. IRET and INT n are branches.
 */
#define WINDOW_RING0_INSNS(n) (2 * (n) + 3)
#define WINDOW_RING0_BRANCHES(n) (n)
#define WINDOW_RING3_INSNS_OS 5
#define WINDOW_RING3_INSNS_USR(n) (2 * (n) + 1)
#define WINDOW_RING3_BRANCHES_OS 1
#define WINDOW_RING3_BRANCHES_USR(n) ((n) + 1)

/* The other windows of window.S: REP STOSB, a faulting UD2, one branch of each kind. */
#define REP_WINDOW_INSNS 7
#define FAULT_WINDOW_INSNS 5
#define FAULT_WINDOW_BRANCHES 1
#define BRANCH_WINDOW_INSNS 26
#define BRANCH_WINDOW_BRANCHES 14
#define EXIT_WINDOW_INSNS(n) (5 * (n) + 4)
#define EXIT_WINDOW_BRANCHES(n) (n)

/*
 * The PMI and NMI handlers of window.S: the counter they read with RDPMC
 * has counted this many of their instructions (three PUSHes and a MOV),
 * and they retire this many in all (the NMI handler writes no EOI).
 */
#define PMI_HANDLER_INSNS_BEFORE_RDPMC 4
#define PMI_HANDLER_INSNS 16
#define NMI_HANDLER_INSNS 15

#ifndef __ASSEMBLY__
#include "guests/lib/guest.h"

#define VECTOR_UD 6
#define VECTOR_GP 13
#define MAX_GP 8    /* IA32_PMC0..7 at 0xc1..0xc8 */
#define MAX_FIXED 4 /* fixed counters 0..3, the ones this guest knows events of */

/* The PMU as CPUID 0AH and IA32_PERF_CAPABILITIES describe it. */
struct pmu_shape {
	u32 version;
	u32 nr_gp, gp_width;
	u32 fixed_mask; /* bit j: fixed counter j exists (EDX[4:0] from 0, or the v5 ECX bitmap) */
	u32 fixed_width;
	u32 events_len, events_unavailable; /* EAX[31:24] and EBX */
	bool pdcm, full_width;
	bool hypervisor; /* CPUID.1:ECX[31]: a guest of a hypervisor, not on the machine */
	u64 perf_caps;
};

extern struct pmu_shape pmu;
extern u32 loops; /* iterations of each window's loop */

/* A GP or fixed counter, so that checks can treat both alike. */
struct counter {
	bool fixed;
	u32 idx;
};

static inline struct counter gp_counter(u32 x)
{
	return (struct counter){ false, x };
}

static inline struct counter fixed_counter(u32 j)
{
	return (struct counter){ true, j };
}

bool fixed_exists(u32 j);
bool fixed_counts(u32 j); /* fixed counters 0..2 count instructions, 3 (TOPDOWN.SLOTS) nothing */
u64 width_mask(u32 width);
u64 gp_global_bits(void);
u64 fixed_global_bits(void);
u64 counter_global_bit(struct counter c);
u32 counter_width(struct counter c);
u32 counter_rdpmc_index(struct counter c);
u64 counter_read(struct counter c);		  /* RDMSR; MSR_FAULTED if it #GPs */
void counter_preset(struct counter c, u64 value); /* full width where it may */
/* Its EVTSEL (instructions) or FIXED_CTR_CTRL field: counting at any CPL, PMI or not. */
void counter_count_all(struct counter c, bool pmi);
const char *counter_name(struct counter c); /* "GP counter 2", "fixed counter 1" */

/* MSR access that survives a #GP: the tests probe MSRs that may fault. */
#define MSR_FAULTED 0xdeadfa17deadfa17ull /* read back for a faulting RDMSR: no counter holds it */
u64 msr_get(u32 msr);
bool msr_set(u32 msr, u64 value);
bool write_gps(u32 msr, u64 value); /* the write raised #GP */
bool read_gps(u32 msr);

/* Every counter stopped, zeroed and unprogrammed, GLOBAL_STATUS clear. */
void pmu_quiesce(void);
u64 global_status_valid_bits(void); /* counter bits, 62 and 63 */

/* window.S. The caller loads the value that starts counting into msr; 0 stops it. */
void pc_window(u32 msr, u32 on_lo, u32 on_hi, u32 iterations);
void pc_user_window(u32 msr, u32 on_lo, u32 on_hi, u32 iterations);
void pc_user_rdpmc(u32 index); /* RDPMC at CPL 3: pc_user_ok, pc_user_value */
void pc_rep_window(u32 msr, u32 on_lo, u32 on_hi, u32 count, void *buffer);
void pc_fault_window(u32 msr, u32 on_lo, u32 on_hi);
void pc_exit_window(u32 msr, u32 on_lo, u32 on_hi, u32 iterations);
extern const char pc_rep_window_stosb[]; /* the REP STOSB of pc_rep_window */
extern const char pc_exit_window_dec[];	 /* the DEC after the exit window's CPUID */
void pc_branch_window(u32 msr, u32 on_lo, u32 on_hi);
void pc_ud_skip(void);
void pc_pmi_stub(void);
void pc_nmi_stub(void);
void pc_spurious_stub(void);
void pc_ring3_exit(void);
extern const char pc_window_loop[], pc_window_jnz[], pc_window_tail[], pc_window_tail_edx[],
	pc_window_stop[];
extern volatile u32 pc_user_ok;
extern volatile u64 pc_user_value;
extern volatile u32 pc_pmi_rdpmc_index, pc_pmi_eip, pc_pmi_ebx;
extern volatile u32 pc_pmi_count, pc_nmi_count, pc_spurious_count;
extern volatile u64 pc_pmi_counter;

/* Our IDT: a handler of our own for an exception vector, and the runtime's back. */
void idt_set_exception(u32 vector, void (*handler)(void));
void idt_restore_exception(u32 vector);

/* The windows with a 64-bit MSR value. */
void window_ring0(u32 msr, u64 on);
void window_ring3(u32 msr, u64 on);

/* The test groups, one file each. */
void check_reset_state(void); /* msrs.c, before anything writes the PMU */
void check_counting(void);
void check_msrs(void);
void check_overflow(void);
void check_rdpmc(void);
void check_pmi(void);

static inline void write_cr4(u32 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
#endif

#endif
