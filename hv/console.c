#include "hv/console.h"
#include "hv/boot/acpi.h"
#include "hv/base/log.h"
#include "arch/x86/paging.h"
#include "arch/x86/serial.h"
#include "lib/printf.h"

#define GAS_SYSTEM_MEMORY 0
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_DWORD 3

static const struct uart com1 = {
	.base = COM1_BASE, .stride = 1, .baud = UART_DEFAULT_BAUD, .clock = UART_CLOCK_HZ
};

static void describe(const struct uart *u, char *buf, size_t size)
{
	if (!u->mmio)
		snprintf_hv(buf, size, "16550 at I/O port 0x%llx", (unsigned long long)u->base);
	else
		snprintf_hv(buf, size, "16550 at MMIO 0x%llx, %s registers",
			    (unsigned long long)u->base, u->stride == 4 ? "32-bit" : "8-bit");
}

/* The UART console= names. MMIO UARTs keep the divisor the firmware set: their clocks vary. */
static struct uart uart_of_option(const struct hv_options *o)
{
	struct uart u = { .base = o->console_base, .stride = 1 };

	if (o->console == CONSOLE_IO) {
		u.baud = UART_DEFAULT_BAUD;
		u.clock = UART_CLOCK_HZ;
	} else {
		u.mmio = true;
		u.stride = o->console == CONSOLE_MMIO32 ? 4 : 1;
	}
	return u;
}

/* The register stride of an SPCR UART in memory: its access size, else its bit width. */
static u8 spcr_stride(const struct acpi_spcr *s)
{
	if (s->access_size == GAS_ACCESS_BYTE || (!s->access_size && s->bit_width == 8))
		return 1;
	if (s->access_size == GAS_ACCESS_DWORD || (!s->access_size && s->bit_width == 32))
		return 4;
	return 0;
}

/* The 16550 the SPCR table describes; false (why says so) if it names none this driver runs. */
static bool uart_of_spcr(const struct acpi_spcr *s, struct uart *u, char *why, size_t size)
{
	*u = (struct uart){ .base = s->address,
			    .stride = 1,
			    .baud = s->baud,
			    .clock = s->clock ? s->clock : UART_CLOCK_HZ };
	if (s->interface_type != SPCR_16550 && s->interface_type != SPCR_16450 &&
	    s->interface_type != SPCR_16550_GAS) {
		snprintf_hv(why, size, "names interface type 0x%x, not a 16550", s->interface_type);
		return false;
	}
	if (!s->address) {
		snprintf_hv(why, size, "says console redirection is off");
		return false;
	}
	if (s->space == GAS_SYSTEM_IO && s->address <= 0xfff8)
		return true;
	u->mmio = true;
	u->stride = spcr_stride(s);
	if (s->space == GAS_SYSTEM_MEMORY && u->stride && s->address + 8 * u->stride <= SIZE_4G)
		return true;
	snprintf_hv(why, size,
		    "names a UART this driver cannot reach (address space %u, address 0x%llx, "
		    "access size %u, bit width %u)",
		    s->space, (unsigned long long)s->address, s->access_size, s->bit_width);
	return false;
}

/* The default: SPCR's 16550 where it answers, else COM1 where it answers, else none. */
static const char *default_console(const struct boot_info *boot, struct uart *u, char *note,
				   size_t size)
{
	struct acpi_spcr spcr;
	char why[160];

	note[0] = '\0';
	if (boot && boot->rsdp_len && acpi_read_spcr(boot->rsdp, boot->rsdp_len, &spcr)) {
		if (uart_of_spcr(&spcr, u, why, sizeof(why)) && uart_present(u))
			return "the ACPI SPCR table";
		if (uart_of_spcr(&spcr, u, why, sizeof(why)))
			snprintf_hv(why, sizeof(why), "names a UART that does not answer");
		snprintf_hv(note, size, "the ACPI SPCR table %s", why);
	}
	*u = com1;
	return uart_present(u) ? "COM1, the default" : NULL;
}

bool console_start(const struct hv_options *o, const struct boot_info *boot, char *err,
		   size_t errlen)
{
	struct uart u;
	char what[80], note[200];
	const char *from;
	bool named_absent = false;

	if (o && o->console != CONSOLE_AUTO) {
		u = uart_of_option(o);
		describe(&u, what, sizeof(what));
		if (uart_present(&u)) {
			log_set_console(&u);
			pr_info("console: %s (console=)", what);
			return true;
		}
		/* The error goes to the default console, where there is one. */
		snprintf_hv(err, errlen, "console=: no UART answers: %s", what);
		named_absent = true;
	}
	from = default_console(boot, &u, note, sizeof(note));
	log_set_console(from ? &u : NULL);
	if (note[0])
		pr_warn("console: %s", note);
	if (!from) {
		pr_info("console: none (no UART answers at COM1)");
	} else {
		describe(&u, what, sizeof(what));
		pr_info("console: %s, from %s", what, from);
	}
	return !named_absent;
}
