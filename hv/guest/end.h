/* The end of the guest (hv/guest/end.c). */
#ifndef HV_GUEST_END_H
#define HV_GUEST_END_H

/* The guest is over; report, then the next run (hv/runs.h) or the end. */
__attribute__((noreturn)) void guest_end(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
