/* The end of the guest (hv/guest/end.c). */
#ifndef HV_GUEST_END_H
#define HV_GUEST_END_H

/* The guest is over; report and end the run. */
__attribute__((noreturn)) void guest_end(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
