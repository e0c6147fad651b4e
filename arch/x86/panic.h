/*
 * What arch/x86 does when it cannot go on. The hypervisor above it
 * implements these (hv/base/log.c), so that a fatal error in the mechanism is
 * reported on the hypervisor's console and ends the run with its status,
 * without arch/x86 depending on hv/.
 */
#ifndef ARCH_X86_PANIC_H
#define ARCH_X86_PANIC_H

/* Raw console output, no prefix: the lines of a fault dump. */
void arch_panic_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the run as a fault in the hypervisor (after a dump). */
__attribute__((noreturn)) void arch_panic_end(void);
/* One error line naming what failed, then arch_panic_end(). */
__attribute__((noreturn, format(printf, 1, 2))) void arch_panic(const char *fmt, ...);

#endif
