/* I/O instruction exits (hv/exit/io.c, io_string.c). */
#ifndef HV_EXIT_IO_H
#define HV_EXIT_IO_H

#include "hv/exit/vmexit.h"
#include "lib/types.h"

/* The exit qualification of an I/O exit, decoded. */
struct io_exit {
	u8 size;     /* 2:0, plus one: 1, 2 or 4 bytes */
	bool in;     /* 3 */
	bool string; /* 4 */
	bool rep;    /* 5 */
	u16 port;    /* 31:16 */
};

/*
 * One access as the guest sees it: the hypervisor's port if it owns it,
 * else the hardware's. A write that ends the guest (the exit port, a
 * power-off or reset) asks for the end (guest_stop()) and returns false.
 */
u32 io_port_in(u16 port, u8 size);
bool io_port_out(u16 port, u8 size, u32 value);

enum exit_action handle_io(void);

#endif
