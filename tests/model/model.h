/*
 * The hardware model the host unit tests run the real sources against.
 *
 * With -DHOST_MODEL the arch/x86 headers declare their hardware accessors
 * (port I/O, MSRs, CPUID, phys_to_virt, RDTSC) as extern functions instead
 * of inline assembly, and the model defines them here. arch/x86/stop.c
 * is replaced too, by a platform_stop() that returns to the test. Every
 * other source file is the real one.
 *
 * One section (and one .c file) per hardware concept. model_reset() puts
 * every part back to its power-on state before each test; a test then
 * sets up only what it needs. Code under test doing something the
 * hardware would not survive (an absent MSR, memory that does not exist)
 * ends the test loudly through unit_abort() rather than returning a
 * plausible value.
 *
 * Later parts get a section here and a file of their own, and a line in
 * model_reset() (the VMCS field store has its own header, vmcs_model.h).
 */
#ifndef TESTS_MODEL_MODEL_H
#define TESTS_MODEL_MODEL_H

#include "lib/types.h"
#include "arch/x86/cpuid.h"

/* model.c: the whole machine */

void model_reset(void);

/* msr.c: the MSR file. An MSR exists only once a test gives it a value. */

#define MODEL_MAX_MSRS 256

struct model_msr {
	u32 index;
	u64 value;
	unsigned reads, writes; /* by the code under test, not by model_msr_*() */
	u64 reserved;		/* bits whose WRMSR #GPs (model_msr_set_reserved()) */
};

void model_msr_reset(void);
/* Make the MSR exist with this value (the test's view: not counted). */
void model_msr_set(u32 index, u64 value);
/* WRMSR of a value with any of these bits set #GPs (the MSR must exist). */
void model_msr_set_reserved(u32 index, u64 reserved);
/* Make it absent again: RDMSR/WRMSR of it #GP from now on. */
void model_msr_remove(u32 index);
bool model_msr_present(u32 index);
/* The current value; aborts the test if the MSR is absent. */
u64 model_msr_get(u32 index);
/* The entry, for its access counts; NULL if absent. */
const struct model_msr *model_msr_entry(u32 index);

/* cpuid.c: the CPUID table. Leaves not in it read as all zeroes. */

#define MODEL_MAX_CPUID 64
#define MODEL_ANY_SUBLEAF 0xffffffffU /* the leaf ignores ECX */

void model_cpuid_reset(void);
void model_cpuid_set(u32 leaf, u32 subleaf, struct cpuid_regs regs);
/*
 * fn(arg) runs each time the code under test executes CPUID (NULL: none):
 * the work a CPUID exit handler does in the host, for tests that need the
 * host to count events or disturb the PMU in the middle of an exit.
 */
void model_cpuid_on_execute(void (*fn)(void *arg), void *arg);
/*
 * A loaded microcode update: IA32_BIOS_SIGN_ID exists (0), and CPUID leaf
 * 1 puts revision into its bits 63:32 (SDM Vol. 3A, "Microcode Update
 * Facilities").
 */
void model_cpuid_set_microcode(u32 revision);

/*
 * mem.c: physical memory. One window [base, base + size) backed by host
 * memory; phys_to_virt() of anything outside it aborts the test.
 */

void model_mem_reset(void);
/* Back [base, base + size) with fresh memory filled with fill. */
void *model_mem_map(u64 base, u64 size, u8 fill);
/* Host pointer to [phys, phys + len), which must lie inside the window. */
void *model_mem_ptr(u64 phys, u64 len);

/*
 * io.c: port I/O. COM1 and COM2 are 16550s that are always ready (LSR
 * reads THRE | TEMT), with a scratch register, and whose transmitted bytes
 * are captured; the divisor latch is modelled so that uart_init()'s
 * baud-rate writes are not taken as text. COM1 is present and COM2 absent
 * unless a test says otherwise; an absent one reads all ones. Port 0xe9
 * (the Bochs/QEMU debug console) is absent unless a test enables it.
 * Other ports read as all ones, like an empty bus, unless a test gives
 * them a value (then they are plain storage); every write to them is
 * recorded, in order.
 */

#define MODEL_CAPTURE_MAX 65536
#define MODEL_IO_MAX_WRITES 64

void model_io_reset(void);
/* Everything written to COM1's transmit register since the last reset or clear. */
const char *model_com1_output(void);
void model_com1_clear(void);
const char *model_com2_output(void);
void model_uart_enable(u16 base, bool present); /* COM1_BASE or COM2_BASE */
void model_e9_enable(bool present);
const char *model_e9_output(void);
/* Port becomes a register that reads value and keeps what is written. */
void model_io_port_set(u16 port, u32 value);

struct model_io_write {
	u16 port;
	u8 size; /* 1, 2 or 4 */
	u32 value;
};
/* Writes to ports other than the UARTs and 0xe9, in order; how many. */
extern struct model_io_write model_io_writes[MODEL_IO_MAX_WRITES];
extern unsigned model_io_nr_writes;
/* How many of them went to port. */
unsigned model_io_writes_to(u16 port);

/*
 * platform.c: the end of a run. The model platform_stop() records the
 * status and returns to the point model_expect_exit() was called from.
 */

struct model_platform {
	bool exited;
	u32 exit_status;
	unsigned exits;
};

extern struct model_platform model_platform;

void model_platform_reset(void);
/*
 * Call fn(arg), which is expected to end the run. Returns true if it
 * called platform_stop() (status in model_platform.exit_status), false if
 * it returned. platform_stop() outside such a call aborts the test.
 */
bool model_expect_exit(void (*fn)(void *arg), void *arg);

/*
 * cpu.c: control registers (plain storage, 0 after reset); the GDT, TSS
 * and IDT a cpu_desc_load() loaded (NULL after reset); VM launch and the
 * bootstrap processor's descriptor tables abort.
 */

struct cpu_desc;
extern const struct cpu_desc *model_cpu_loaded_desc;
void model_cpu_reset(void);

/* nmi.c: IRETs in root operation that ended NMI blocking (arch/x86/nmi.h). */

extern unsigned model_nmi_unblocks;

/* tsc.c: the time-stamp counter advances by a fixed step on every RDTSC. */

void model_tsc_reset(void);
void model_tsc_set(u64 value, u64 step);
/* RDTSCs by the code under test since the reset. */
u64 model_tsc_reads(void);

/*
 * pmu.c: a PMU that counts. Architectural PerfMon v4 (v3 without
 * GLOBAL_STATUS_SET on request) with MODEL_PMU_GP general-purpose and
 * MODEL_PMU_FIXED fixed-function counters, all MODEL_PMU_WIDTH bits wide;
 * or, through model_pmu_install_config(), any version from 2 to 5 with up
 * to PMU_MAX_GP and PMU_MAX_FIXED counters (v5: a fixed-counter bitmap in
 * CPUID.0AH:ECX, every counter from 0 present).
 * Absent after model_reset(): its MSRs are then plain entries of the MSR
 * file (absent unless a test sets them); model_pmu_install() powers it on
 * with every register 0, and from then on msr.c hands every PMU index
 * (IA32_PMCx, IA32_A_PMCx, PERFEVTSELx, FIXED_CTRx, 0x38d..0x391) to it.
 * model_pmu_set_cpuid() puts its CPUID leaf 0AH into the CPUID table, and
 * where the configuration says so leaf 23H, CPUID.(7,1) and leaf 1AH (the
 * caller sets leaf 0 and leaf 7's subleaf 0: the maximum leaf, the hybrid
 * bit). A configuration may give the fixed counters as a bitmap with gaps
 * and make CPUID.0AH report fewer counters than there are (a hybrid part).
 *
 * Registers behave as on hardware: IA32_PMCx writes keep bits 31:0,
 * sign-extended to 48 bits; IA32_A_PMCx (only with full-width writes)
 * take 48 bits; GLOBAL_STATUS is read-only; GLOBAL_OVF_CTRL clears the
 * written STATUS bits, GLOBAL_STATUS_SET (v4) sets them. A register or
 * counter the CPU lacks, a reserved bit set, a write of GLOBAL_STATUS:
 * #GP, which aborts the test through rdmsr()/wrmsr()/rdpmc() and makes
 * the _safe variants fail. GLOBAL_OVF_CTRL and GLOBAL_STATUS_SET accept
 * the counters' bits and the others the configuration names (none by
 * default); model_pmu_raise_status() is the CPU setting bits of no
 * counter by itself (CondChgd, ToPA). Simplification: no PMI is raised.
 *
 * Counting: model_pmu_run(ctx, n) is the CPU executing n events (retired
 * instructions, cycles: one kind for all counters) at ring 0 in the guest
 * or in the host. Every enabled counter counts n: GP counter i when
 * GLOBAL_CTRL bit i and PERFEVTSELi EN and OS are set; fixed counter j
 * when GLOBAL_CTRL bit 32 + j and FIXED_CTR_CTRL field j's OS bit are set.
 * Wrapping past 2^48 - 1 sets the counter's GLOBAL_STATUS bit. Each
 * physical counter keeps a tally of the events it counted per context.
 *
 * The VM transitions follow the VMCS (the model's field store, vmcs.c):
 * model_vm_exit() saves GLOBAL_CTRL into GUEST_IA32_PERF_GLOBAL_CTRL if
 * the VM-exit control "save IA32_PERF_GLOBAL_CTRL" is set, stores the
 * VM-exit MSR-store list, loads HOST_IA32_PERF_GLOBAL_CTRL if "load
 * IA32_PERF_GLOBAL_CTRL" is set, then the VM-exit MSR-load list;
 * model_vm_entry() loads GUEST_IA32_PERF_GLOBAL_CTRL under the VM-entry
 * control, then the VM-entry MSR-load list. Lists live in modelled memory
 * at the addresses the VMCS holds. VM entry fails (the test aborts) where
 * GUEST_IA32_DEBUGCTL has a bit the MSR file's IA32_DEBUGCTL reserves.
 *
 * The guest's own accesses: model_msr_exits() says whether a guest RDMSR
 * or WRMSR of msr exits, from the MSR bitmap the VMCS points to (decoded
 * here, independently of arch/x86/vmx_bitmap.c); model_rdpmc_exits()
 * whether RDPMC does ("RDPMC exiting"). model_guest_rdmsr(),
 * model_guest_wrmsr() and model_guest_rdpmc() are the guest's accesses
 * that do not exit: not logged, false for #GP.
 *
 * Every RDMSR, WRMSR and RDPMC of the PMU by the code under test (through
 * rdmsr(), wrmsr(), their _safe variants, rdpmc(), rdpmc_safe()) is
 * appended to a log; the test's and the guest's own accesses
 * (model_pmu_read()/model_pmu_write()) and the VM transitions are not.
 */

#define MODEL_PMU_GP 4
#define MODEL_PMU_FIXED 3
#define MODEL_PMU_WIDTH 48
#define MODEL_PMU_LOG_MAX 4096
#define MODEL_PMU_EBX_LEN 7 /* CPUID.0AH:EAX 31:24, the architectural events */

enum model_context { MODEL_HOST, MODEL_GUEST };
enum model_pmu_op { MODEL_RDMSR, MODEL_WRMSR, MODEL_RDPMC };

struct model_pmu_access {
	enum model_pmu_op op;
	u32 index;  /* the MSR, or RDPMC's ECX */
	u64 value;  /* read or written */
	bool fault; /* it raised #GP (only a _safe access returns after one) */
};

void model_pmu_reset(void);
struct model_pmu_config {
	unsigned version; /* 2..5; GLOBAL_STATUS_SET from 4 */
	unsigned nr_gp, nr_fixed;
	bool full_width_writes;
	bool bochs_rdpmc; /* RDPMC as Bochs 2.7's: GP counters read 0, fixed counters #GP */
	/* GLOBAL_STATUS bits of no counter that GLOBAL_OVF_CTRL / GLOBAL_STATUS_SET take. */
	u64 status_reset_other, status_set_other;
	/*
	 * The fixed counters, bit j for counter j, instead of the first
	 * nr_fixed (0: those); may have gaps, which CPUID.0AH:ECX (v5) shows.
	 * Counters from PMU_MAX_FIXED up are in CPUID only: their MSRs #GP.
	 */
	u32 fixed_mask;
	/* Fewer counters in CPUID.0AH than the CPU has (a hybrid P-core's view; 0: all). */
	unsigned cpuid_a_gp, cpuid_a_fixed;
	/* CPUID.(7,1):EAX[8] and leaf 23H: every counter as bitmaps, and an ACR subleaf. */
	bool ext_leaf;
	/* CPUID.(7,0):EDX[15] hybrid, and CPUID.1AH says this is a P-core. */
	bool hybrid_pcore;
};

/* Power the PMU on, every register 0, the CPU in the host. */
void model_pmu_install_config(const struct model_pmu_config *c);
/* The default CPU: v4 (v3 without has_status_set), MODEL_PMU_GP and MODEL_PMU_FIXED counters. */
void model_pmu_install(bool full_width_writes, bool has_status_set);
/* The CPU sets these GLOBAL_STATUS bits by itself (no counter wrapped). */
void model_pmu_raise_status(u64 bits);
/* CPUID leaf 0AH (and 23H, 1AH, (7,1) where configured) as this PMU reports it. */
void model_pmu_set_cpuid(void);
bool model_pmu_installed(void);
/* Whether msr.c must hand this MSR to the PMU model. */
bool model_pmu_claims(u32 msr);
/* RDMSR/WRMSR by the code under test (logged); false for #GP. */
bool model_pmu_rdmsr(u32 msr, u64 *value);
bool model_pmu_wrmsr(u32 msr, u64 value);
/* Why the last access #GPed, for the abort message. */
const char *model_pmu_fault(void);

/* RDMSR/WRMSR by the test or the guest, not logged; #GP aborts the test. */
u64 model_pmu_read(u32 msr);
void model_pmu_write(u32 msr, u64 value);

/* The CPU executes n events in ctx, which must be where the CPU is. */
void model_pmu_run(enum model_context ctx, u64 n);
enum model_context model_pmu_context(void);
/* Events counted by physical GP counter i / fixed counter j in ctx. */
u64 model_pmu_tally_gp(enum model_context ctx, unsigned i);
u64 model_pmu_tally_fixed(enum model_context ctx, unsigned j);

/* VM exit and VM entry, as the VMCS says. */
void model_vm_exit(void);
void model_vm_entry(void);
/*
 * A CPU that accepts the load/save IA32_PERF_GLOBAL_CTRL controls and
 * ignores them at VM entry, at VM exit, or both (Bochs 2.7).
 */
void model_vmx_ignore_global_ctrl_controls(bool at_entry, bool at_exit);
/* Whether the guest's RDMSR/WRMSR of msr, or its RDPMC, exits. */
bool model_msr_exits(u32 msr, bool write);
bool model_rdpmc_exits(void);
/* The guest's accesses that do not exit (not logged); false for #GP. */
bool model_guest_rdmsr(u32 msr, u64 *value);
bool model_guest_wrmsr(u32 msr, u64 value);
bool model_guest_rdpmc(u32 ecx, u64 *value);

/* The log since the last clear; *count is set to its length. */
const struct model_pmu_access *model_pmu_log(unsigned *count);
void model_pmu_log_clear(void);

#endif
