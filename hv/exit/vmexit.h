/*
 * The exit dispatch (hv/exit/vmexit.c): one table by exit reason, one
 * handler per reason, each group in its own file under hv/exit/. vmexit_handler() itself is declared
 * in arch/x86/vmx_entry.h, whose assembly calls it.
 */
#ifndef HV_EXIT_VMEXIT_H
#define HV_EXIT_VMEXIT_H

/* What a handler asks the exit loop to do with the exiting instruction. */
enum exit_action {
	EXIT_RESUME,	/* re-execute or continue where the guest is */
	EXIT_SKIP_INSN, /* the instruction was emulated: step over it */
};

typedef enum exit_action (*exit_handler_fn)(void);

/* Before the run's first VM entry: what its exits do besides the handler. */
void vmexit_prepare(void);

#endif
