/* I/O instruction exits (hv/exit/io.c). */
#ifndef HV_EXIT_IO_H
#define HV_EXIT_IO_H

#include "hv/exit/vmexit.h"

enum exit_action handle_io(void);

#endif
