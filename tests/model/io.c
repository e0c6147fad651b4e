/* Port I/O: COM1 and the 0xe9 debug console, captured as text. */
#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/io.h"
#include "arch/x86/serial.h"

struct capture {
	char text[MODEL_CAPTURE_MAX]; /* always NUL-terminated */
	size_t len;
};

static struct capture com1, e9;
static u8 com1_lcr;
static bool e9_present;

static void capture_byte(struct capture *c, u8 v, const char *what)
{
	if (c->len + 1 >= sizeof(c->text))
		unit_abort(__FILE__, __LINE__, "model: %s capture is full", what);
	c->text[c->len++] = (char)v;
	c->text[c->len] = '\0';
}

void model_io_reset(void)
{
	model_com1_clear();
	e9.len = 0;
	e9.text[0] = '\0';
	com1_lcr = 0;
	e9_present = false;
}

const char *model_com1_output(void)
{
	return com1.text;
}

void model_com1_clear(void)
{
	com1.len = 0;
	com1.text[0] = '\0';
}

void model_e9_enable(bool present)
{
	e9_present = present;
}

const char *model_e9_output(void)
{
	return e9.text;
}

u8 inb(u16 port)
{
	switch (port) {
	case COM1_BASE + UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case COM1_BASE + UART_LCR:
		return com1_lcr;
	case BOCHS_E9_PORT:
		/* Bochs and QEMU's debugcon read back the port number. */
		return e9_present ? BOCHS_E9_PORT : 0xff;
	default:
		return 0xff;
	}
}

void outb(u16 port, u8 v)
{
	switch (port) {
	case COM1_BASE + UART_THR:
		/* With DLAB set this is the divisor latch, not text. */
		if (!(com1_lcr & UART_LCR_DLAB))
			capture_byte(&com1, v, "COM1");
		break;
	case COM1_BASE + UART_LCR:
		com1_lcr = v;
		break;
	case BOCHS_E9_PORT:
		if (e9_present)
			capture_byte(&e9, v, "port 0xe9");
		break;
	default:
		break;
	}
}

u32 inl(u16 port)
{
	(void)port;
	return 0xffffffffU;
}

void outl(u16 port, u32 v)
{
	(void)port;
	(void)v;
}

u16 inw(u16 port)
{
	(void)port;
	return 0xffff;
}

void outw(u16 port, u16 v)
{
	(void)port;
	(void)v;
}
