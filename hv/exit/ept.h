/* EPT violations (hv/exit/ept.c). */
#ifndef HV_EXIT_EPT_H
#define HV_EXIT_EPT_H

#include "hv/exit/vmexit.h"

enum exit_action handle_ept_violation(void);

#endif
