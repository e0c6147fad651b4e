/* From entry.S to guest_main: console, exceptions, multiboot1 command line and memory map. */
#include "guests/lib/guest.h"
#include "guests/lib/multiboot1.h"
#include "guests/lib/runtime.h"
#include "lib/string.h"

#define CMDLINE_MAX 256

/*
 * A copy of the command line: the loader's copy lies wherever it chose (the
 * hypervisor puts it at 0x8000-0xffff), memory a guest may want to reuse.
 */
static char cmdline[CMDLINE_MAX];

static void copy_cmdline(const struct mb1_info *info)
{
	const char *s = (const char *)(uintptr_t)info->cmdline;
	size_t n = 0;

	if (!(info->flags & MB1_INFO_CMDLINE) || !s)
		return;
	for (; n < CMDLINE_MAX - 1 && s[n]; n++)
		cmdline[n] = s[n];
	cmdline[n] = '\0';
}

void guest_start(u32 magic, u32 info)
{
	serial_init();
	trap_init();
	guest_printf("guest: %s starting\n", guest_name);
	if (magic != MB1_BOOTLOADER_MAGIC) {
		guest_printf("guest: EAX 0x%x is not the multiboot1 magic 0x%x\n", magic,
			     MB1_BOOTLOADER_MAGIC);
		guest_exit(GUEST_STATUS_BAD_BOOT);
	}
	copy_cmdline((const struct mb1_info *)(uintptr_t)info);
	copy_memory_map((const struct mb1_info *)(uintptr_t)info);
	guest_exit((u32)guest_main(cmdline));
}

size_t guest_cmdline_word(const char **s)
{
	size_t n = 0;

	while (**s == ' ')
		(*s)++;
	while ((*s)[n] && (*s)[n] != ' ')
		n++;
	return n;
}

bool guest_cmdline_has(const char *s, const char *word)
{
	size_t len = strlen(word);

	for (size_t n; (n = guest_cmdline_word(&s)); s += n)
		if (n == len && !strncmp(s, word, len))
			return true;
	return false;
}
