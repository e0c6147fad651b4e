/* Between the runtime's own files; guests use guest.h. */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include "lib/types.h"

void serial_init(void);
void serial_putc(char c);
void serial_drain(void);

void trap_init(void);

struct mb1_info;
void copy_memory_map(const struct mb1_info *info);

/* Called by entry.S with the loader's EAX and EBX. */
__attribute__((noreturn)) void guest_start(u32 magic, u32 info);

#endif
