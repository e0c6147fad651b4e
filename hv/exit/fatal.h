/* Exits that end the guest, and failed VM entries (hv/exit/fatal.c). */
#ifndef HV_EXIT_FATAL_H
#define HV_EXIT_FATAL_H

#include "hv/exit/vmexit.h"
#include "lib/types.h"

/* Console dumps for a report that ends the run. */
void print_guest_state(void);
void print_exit_fields(void);

enum exit_action handle_triple_fault(void);
enum exit_action handle_ept_misconfig(void);
__attribute__((noreturn)) void vmentry_failure(u32 reason);

#endif
