/*
 * The exit dispatch (hv/exit/vmexit.c): one table by exit reason, one
 * handler per reason, each group in its own file under hv/exit/. vmexit_handler() itself is declared
 * in arch/x86/vmx_entry.h, whose assembly calls it.
 */
#ifndef HV_EXIT_VMEXIT_H
#define HV_EXIT_VMEXIT_H

#include "lib/types.h"

/* What a handler asks the exit loop to do with the exiting instruction. */
enum exit_action {
	EXIT_RESUME,	/* re-execute or continue where the guest is */
	EXIT_SKIP_INSN, /* the instruction was emulated: step over it */
	EXIT_END,	/* guest_stop() recorded why: the guest ends, nothing of it runs on */
};

typedef enum exit_action (*exit_handler_fn)(void);

/*
 * Ask for the end of the guest (status from hv/base/status.h) and say why:
 * only recorded (the first request wins), returns EXIT_END. The handler
 * returns it, or a helper deep in one returns failure to a caller that
 * does; the exit dispatcher then ends the guest (guest_end()), the
 * one place that does on the exit path.
 */
enum exit_action guest_stop(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Whether guest_stop() was called: tells a helper's failure that asked for
 * the end from one that gave the guest a fault (hv/exit/guest_mem.h).
 */
bool guest_stop_requested(void);

/*
 * The guest is over: report, then the next run or the end of the boot.
 * Declared here and defined by the run (hv/run/end.c), which knows what
 * follows a guest: the exit path calls it (end_guest() in
 * hv/exit/vmexit.c) and includes nothing of hv/run/.
 */
__attribute__((noreturn)) void guest_end(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Before the run's first VM entry: what its exits do besides the handler;
 * with a time limit, its first check (past it, the guest ends here). The
 * run (hv/run/runs.c) sets vcpu.deadline_tsc for guest_limit= before it.
 */
void vmexit_prepare(void);
/*
 * With a time limit, before the first entry and on every exit: arms the
 * VMX-preemption timer and returns true, or past the limit asks for the
 * end of the guest (guest_stop()) and returns false.
 */
bool vmexit_check_time_limit(void);

#endif
