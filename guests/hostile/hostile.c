/*
 * hostile: one-instruction reproductions of guest behaviour a hypervisor
 * must survive and get right. The command line names one case
 * ("hostile case=cr4-vmxe"); the case does its instruction, checks the
 * architectural outcome (the exception delivered, the value read back)
 * and the guest exits 0 or 1. Cases that end the guest through the
 * hypervisor (a time limit, a processor reset) never return: the boot
 * test checks the hypervisor's verdict instead.
 */
#include "guests/lib/guest.h"
#include "guests/hostile/cases.h"
#include "lib/string.h"

const char guest_name[] = "hostile";

/* The word "case=NAME" of the space-separated command line, or NULL. */
static const struct hostile_case *find_case(const char *s)
{
	for (size_t n; (n = guest_cmdline_word(&s)); s += n)
		if (n > 5 && !strncmp(s, "case=", 5))
			for (const struct hostile_case *c = hostile_cases; c->name; c++)
				if (strlen(c->name) == n - 5 && !strncmp(s + 5, c->name, n - 5))
					return c;
	return NULL;
}

int guest_main(const char *cmdline)
{
	const struct hostile_case *c = find_case(cmdline);

	if (!c) {
		guest_printf("hostile: no known case=NAME in '%s'; cases:", cmdline);
		for (c = hostile_cases; c->name; c++)
			guest_printf(" %s", c->name);
		guest_printf("\n");
		return GUEST_STATUS_FAIL;
	}
	guest_printf("hostile: case %s: %s\n", c->name, c->what);
	guest_flush();
	c->run();
	guest_finish();
}
