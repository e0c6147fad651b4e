/* Exits that need a line or two each (hv/exit/misc.c). */
#ifndef HV_EXIT_MISC_H
#define HV_EXIT_MISC_H

#include "hv/exit/vmexit.h"

enum exit_action handle_init_signal(void);
enum exit_action handle_sipi(void);
enum exit_action handle_hlt(void);
enum exit_action handle_invd(void);
enum exit_action handle_xsetbv(void);
enum exit_action handle_vmx_instruction(void);
enum exit_action handle_preemption_timer(void);

#endif
