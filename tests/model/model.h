/*
 * The hardware model the host unit tests run the real sources against.
 *
 * With -DHOST_MODEL the arch/x86 headers declare their hardware accessors
 * (port I/O, MSRs, CPUID, phys_to_virt, RDTSC) as extern functions instead
 * of inline assembly, and the model defines them here. arch/x86/platform.c
 * is replaced too, by a platform_exit() that returns to the test. Every
 * other source file is the real one.
 *
 * One section (and one .c file) per hardware concept. model_reset() puts
 * every part back to its power-on state before each test; a test then
 * sets up only what it needs. Code under test doing something the
 * hardware would not survive (an absent MSR, memory that does not exist)
 * ends the test loudly through unit_abort() rather than returning a
 * plausible value.
 *
 * Later parts (a counting PMU model, a VMCS field store) get a section
 * here and a file of their own, and a line in model_reset().
 */
#ifndef TESTS_MODEL_MODEL_H
#define TESTS_MODEL_MODEL_H

#include "../../lib/types.h"
#include "../../arch/x86/cpuid.h"

/* model.c: the whole machine */

void model_reset(void);

/* msr.c: the MSR file. An MSR exists only once a test gives it a value. */

#define MODEL_MAX_MSRS 256

struct model_msr {
	u32 index;
	u64 value;
	unsigned reads, writes; /* by the code under test, not by model_msr_*() */
};

void model_msr_reset(void);
/* Make the MSR exist with this value (the test's view: not counted). */
void model_msr_set(u32 index, u64 value);
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
 * mem.c: physical memory. One window [base, base + size) backed by host
 * memory; phys_to_virt() of anything outside it aborts the test.
 */

void model_mem_reset(void);
/* Back [base, base + size) with fresh memory filled with fill. */
void *model_mem_map(u64 base, u64 size, u8 fill);
/* Host pointer to [phys, phys + len), which must lie inside the window. */
void *model_mem_ptr(u64 phys, u64 len);

/*
 * io.c: port I/O. COM1 is a 16550 that is always ready (LSR reads THRE |
 * TEMT) and whose transmitted bytes are captured; the divisor latch is
 * modelled so that serial_init()'s baud-rate writes are not taken as text.
 * Port 0xe9 (the Bochs/QEMU debug console) is absent unless a test enables
 * it. Other ports read as all ones, like an empty bus, and ignore writes.
 */

#define MODEL_CAPTURE_MAX 65536

void model_io_reset(void);
/* Everything written to COM1's transmit register since the last reset or clear. */
const char *model_com1_output(void);
void model_com1_clear(void);
void model_e9_enable(bool present);
const char *model_e9_output(void);

/*
 * platform.c: the end of a run. The model platform_exit() records the
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
 * called platform_exit() (status in model_platform.exit_status), false if
 * it returned. platform_exit() outside such a call aborts the test.
 */
bool model_expect_exit(void (*fn)(void *arg), void *arg);

/* tsc.c: the time-stamp counter advances by a fixed step on every RDTSC. */

void model_tsc_reset(void);
void model_tsc_set(u64 value, u64 step);

#endif
