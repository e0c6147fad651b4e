/*
 * The test-guest runtime: what every guest in guests/NAME/ may use.
 *
 * A guest defines guest_name and guest_main. The runtime prints
 * "guest: NAME starting", calls guest_main with the multiboot command line,
 * and exits with its return value. Tests report through CHECK (one TAP-style
 * "ok N - ..." / "not ok N - ..." line each) and end with guest_finish(),
 * which prints "N passed, M failed" and exits 0 or 1.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdarg.h>
#include "lib/types.h"
#include "guests/lib/cpu.h"

/* Exit statuses: the value written to GUEST_EXIT_PORT. */
#define GUEST_STATUS_PASS 0	/* every check passed */
#define GUEST_STATUS_FAIL 1	/* a check failed */
#define GUEST_STATUS_BAD_BOOT 2 /* not started by a multiboot1 loader */
#define GUEST_STATUS_CRASH 3	/* an exception no fixup expected */

/* Defined by each guest. */
extern const char guest_name[];
int guest_main(const char *cmdline);

void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_vprintf(const char *fmt, va_list ap);
void guest_puts(const char *s); /* s, then a newline */
void guest_flush(void);		/* return once the UART has sent every byte */

/*
 * The next word of a space-separated command line: skips the spaces at *s,
 * leaves *s at the word and returns its length, 0 when none is left.
 *	for (size_t n; (n = guest_cmdline_word(&s)); s += n)
 */
size_t guest_cmdline_word(const char **s);
/* Whether the space-separated command line contains `word` as a whole word. */
bool guest_cmdline_has(const char *cmdline, const char *word);

/* The loader's memory map, copied at start (the loader's copy is memory a guest may reuse). */
struct guest_mem_range {
	u64 base, len;
	u32 type; /* MB1_MEMORY_AVAILABLE, MB1_MEMORY_RESERVED, ... */
};
#define GUEST_MAP_MAX 128
/* Sets *map to the copy; returns its entries, 0 when the loader gave no map. */
int guest_memory_map(const struct guest_mem_range **map);
/*
 * The hypervisor's own memory as the guest's map shows it: the reserved
 * range that ends the RAM starting at 1 MiB. False if there is none.
 */
bool guest_hypervisor_range(u64 *start, u64 *end);

bool guest_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints one "ok N - DESC" line; evaluates to cond, so a caller may react to a failure. */
#define CHECK(cond, ...) guest_check(!!(cond), __VA_ARGS__)

__attribute__((noreturn)) void guest_finish(void);
__attribute__((noreturn)) void guest_exit(u32 status);

#endif
