/* The exit handlers, one small function per exit reason (hv/exit_*.c). */
#ifndef HV_EXIT_EXITS_H
#define HV_EXIT_EXITS_H

#include "hv/cpu/vcpu.h"

typedef enum exit_action (*exit_handler_fn)(void);

/* exit_cpuid.c */
enum exit_action handle_cpuid(void);
/* exit_io.c */
enum exit_action handle_io(void);
/* exit_msr.c */
enum exit_action handle_rdmsr(void);
enum exit_action handle_wrmsr(void);
/* exit_vmcall.c */
enum exit_action handle_vmcall(void);
/* exit_misc.c */
enum exit_action handle_init_sipi(void);
enum exit_action handle_hlt(void);
enum exit_action handle_invd(void);
enum exit_action handle_xsetbv(void);
enum exit_action handle_vmx_instruction(void);
enum exit_action handle_cr_access(void);
enum exit_action handle_preemption_timer(void);
/* exit_fatal.c */
enum exit_action handle_triple_fault(void);
enum exit_action handle_ept_violation(void);
enum exit_action handle_ept_misconfig(void);
__attribute__((noreturn)) void vmentry_failure(u32 reason);

#endif
