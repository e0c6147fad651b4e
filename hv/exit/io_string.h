/* INS and OUTS to intercepted ports (hv/exit/io_string.c). */
#ifndef HV_EXIT_IO_STRING_H
#define HV_EXIT_IO_STRING_H

#include "hv/exit/io.h"

/* One element of the string instruction that exited; see io.c for the REP rule. */
enum exit_action io_string_element(const struct io_exit *io);

#endif
