/* Shared between the fuzz guest's operation files: the executor, the PRNG and the op record. */
#ifndef FUZZ_H
#define FUZZ_H

#include "guests/lib/guest.h"
#include "guests/lib/desc.h"

/* The register set fz_exec loads before a snippet and stores after it (or at its fault). */
struct fz_regs {
	u32 eax, ebx, ecx, edx, esi, edi, ebp, eflags;
};

typedef void snippet_fn(void);

/* Outcome of one executed snippet: FZ_OK or the exception vector. */
#define FZ_OK 0xffffffffu
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14
#define VEC_TIMER 64
#define VEC_SYSCALL 128 /* INT 0x80: the end of a CPL3 snippet */
#define VEC_SPURIOUS 255

#define EFLAGS_TF (1u << 8)
#define EFLAGS_IF (1u << 9)
#define EFLAGS_DF (1u << 10)

extern volatile u32 fz_error;	    /* error code of the last exception taken */
extern volatile u32 fz_nmi_count;   /* NMIs taken */
extern volatile u32 fz_timer_count; /* local APIC timer interrupts taken */
extern volatile u32 fz_step_count;  /* single-step #DBs taken while armed */
extern volatile u32 fz_step_eip;    /* EIP of the last of them */
extern volatile bool fz_step_armed;

/* Runs fn with *r at CPL0 (or CPL3); returns FZ_OK or the vector, *r updated either way. */
u32 fz_run(snippet_fn *fn, struct fz_regs *r);
u32 fz_run_user(snippet_fn *fn, struct fz_regs *r);

/* PRNG (splitmix64), seeded from the command line. */
u32 rnd32(void);
u64 rnd64(void);
u32 rnd(u32 n); /* 0..n-1 */

/* The operation being built: a description, a result and plausibility complaints. */
void op_desc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void op_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void op_outcome(u32 vector); /* appends "ok" or "#GP(0x0)" etc. to the result */
void implausible(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Registers other than those listed (a bit per field of struct fz_regs) must be unchanged. */
void check_untouched(const struct fz_regs *before, const struct fz_regs *after, u32 may_change);
#define R_EAX (1u << 0)
#define R_EBX (1u << 1)
#define R_ECX (1u << 2)
#define R_EDX (1u << 3)
#define R_ESI (1u << 4)
#define R_EDI (1u << 5)
#define R_EBP (1u << 6)

/* A register set filled with random values (so that "untouched" means something). */
struct fz_regs random_regs(void);

bool under_hypervisor(void);

#endif
