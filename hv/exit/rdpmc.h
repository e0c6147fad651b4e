/* The guest's RDPMC, where the PMU strategy makes it exit (hv/exit/rdpmc.c). */
#ifndef HV_EXIT_RDPMC_H
#define HV_EXIT_RDPMC_H

#include "hv/exit/vmexit.h"

enum exit_action handle_rdpmc(void);

#endif
