/* Port I/O: COM1, COM2 and the 0xe9 debug console, captured as text; other ports recorded. */
#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/io.h"
#include "arch/x86/serial.h"

struct capture {
	char text[MODEL_CAPTURE_MAX]; /* always NUL-terminated */
	size_t len;
};

struct model_uart {
	u16 base;
	bool present;
	u8 lcr, scr;
	struct capture out;
	const char *name;
};

static struct model_uart uarts[2] = { { .base = COM1_BASE, .name = "COM1" },
				      { .base = COM2_BASE, .name = "COM2" } };
static struct capture e9;
static bool e9_present;

#define MAX_PORTS 16
static struct {
	u16 port;
	u32 value;
} ports[MAX_PORTS];
static unsigned nr_ports;

struct model_io_write model_io_writes[MODEL_IO_MAX_WRITES];
unsigned model_io_nr_writes;

static void capture_clear(struct capture *c)
{
	c->len = 0;
	c->text[0] = '\0';
}

static void capture_byte(struct capture *c, u8 v, const char *what)
{
	if (c->len + 1 >= sizeof(c->text))
		unit_abort(__FILE__, __LINE__, "model: %s capture is full", what);
	c->text[c->len++] = (char)v;
	c->text[c->len] = '\0';
}

void model_io_reset(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(uarts); i++) {
		capture_clear(&uarts[i].out);
		uarts[i].lcr = uarts[i].scr = 0;
		uarts[i].present = uarts[i].base == COM1_BASE;
	}
	capture_clear(&e9);
	e9_present = false;
	nr_ports = 0;
	model_io_nr_writes = 0;
}

const char *model_com1_output(void)
{
	return uarts[0].out.text;
}

void model_com1_clear(void)
{
	capture_clear(&uarts[0].out);
}

const char *model_com2_output(void)
{
	return uarts[1].out.text;
}

void model_uart_enable(u16 base, bool present)
{
	for (unsigned i = 0; i < ARRAY_SIZE(uarts); i++)
		if (uarts[i].base == base)
			uarts[i].present = present;
}

void model_e9_enable(bool present)
{
	e9_present = present;
}

const char *model_e9_output(void)
{
	return e9.text;
}

void model_io_port_set(u16 port, u32 value)
{
	for (unsigned i = 0; i < nr_ports; i++)
		if (ports[i].port == port) {
			ports[i].value = value;
			return;
		}
	if (nr_ports == MAX_PORTS)
		unit_abort(__FILE__, __LINE__, "model: more than %d port registers", MAX_PORTS);
	ports[nr_ports].port = port;
	ports[nr_ports++].value = value;
}

unsigned model_io_writes_to(u16 port)
{
	unsigned n = 0;
	for (unsigned i = 0; i < model_io_nr_writes; i++)
		n += model_io_writes[i].port == port;
	return n;
}

/* The present UART whose registers cover port, or NULL. */
static struct model_uart *uart_at(u16 port)
{
	for (unsigned i = 0; i < ARRAY_SIZE(uarts); i++)
		if (uarts[i].present && port >= uarts[i].base && port < uarts[i].base + UART_REGS)
			return &uarts[i];
	return NULL;
}

static u32 port_read(u16 port, u32 all_ones)
{
	for (unsigned i = 0; i < nr_ports; i++)
		if (ports[i].port == port)
			return ports[i].value & all_ones;
	return all_ones;
}

static void port_write(u16 port, u8 size, u32 v)
{
	for (unsigned i = 0; i < nr_ports; i++)
		if (ports[i].port == port)
			ports[i].value = v;
	if (model_io_nr_writes == MODEL_IO_MAX_WRITES)
		unit_abort(__FILE__, __LINE__, "model: more than %d port writes",
			   MODEL_IO_MAX_WRITES);
	model_io_writes[model_io_nr_writes++] = (struct model_io_write){ port, size, v };
}

u8 inb(u16 port)
{
	struct model_uart *u = uart_at(port);

	if (u) {
		switch (port - u->base) {
		case UART_LSR:
			return UART_LSR_THRE | UART_LSR_TEMT;
		case UART_LCR:
			return u->lcr;
		case UART_SCR:
			return u->scr;
		default:
			return 0;
		}
	}
	if (port == BOCHS_E9_PORT)
		/* Bochs and QEMU's debugcon read back the port number. */
		return e9_present ? BOCHS_E9_PORT : 0xff;
	return (u8)port_read(port, 0xff);
}

void outb(u16 port, u8 v)
{
	struct model_uart *u = uart_at(port);

	if (u) {
		switch (port - u->base) {
		case UART_THR:
			/* With DLAB set this is the divisor latch, not text. */
			if (!(u->lcr & UART_LCR_DLAB))
				capture_byte(&u->out, v, u->name);
			break;
		case UART_LCR:
			u->lcr = v;
			break;
		case UART_SCR:
			u->scr = v;
			break;
		default:
			break;
		}
		return;
	}
	if (port == BOCHS_E9_PORT) {
		if (e9_present)
			capture_byte(&e9, v, "port 0xe9");
		return;
	}
	port_write(port, 1, v);
}

u32 inl(u16 port)
{
	return port_read(port, 0xffffffffU);
}

void outl(u16 port, u32 v)
{
	port_write(port, 4, v);
}

u16 inw(u16 port)
{
	return (u16)port_read(port, 0xffff);
}

void outw(u16 port, u16 v)
{
	port_write(port, 2, v);
}
