/* Task-switch exits (hv/exit/task.c). */
#ifndef HV_EXIT_TASK_H
#define HV_EXIT_TASK_H

#include "hv/exit/vmexit.h"

enum exit_action handle_task_switch(void);

#endif
