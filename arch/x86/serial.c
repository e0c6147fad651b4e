#include "arch/x86/serial.h"
#include "arch/x86/io.h"
#include "arch/x86/paging.h"

/* Bounded: a missing UART reads 0xff, a wedged one must not hang us. */
#define UART_SPIN 1000000

static u8 uart_read(const struct uart *u, unsigned reg)
{
	if (!u->mmio)
		return inb((u16)(u->base + reg));
	if (u->stride == 4)
		return (u8) * (volatile u32 *)phys_to_virt(u->base + reg * 4);
	return *(volatile u8 *)phys_to_virt(u->base + reg);
}

static void uart_write(const struct uart *u, unsigned reg, u8 v)
{
	if (!u->mmio)
		outb((u16)(u->base + reg), v);
	else if (u->stride == 4)
		*(volatile u32 *)phys_to_virt(u->base + reg * 4) = v;
	else
		*(volatile u8 *)phys_to_virt(u->base + reg) = v;
}

bool uart_present(const struct uart *u)
{
	u8 saved = uart_read(u, UART_SCR);
	bool present = true;

	/* Two patterns: an empty bus reads all ones, some hold the last byte driven. */
	for (unsigned i = 0; i < 2 && present; i++) {
		u8 pattern = i ? 0xa5 : 0x5a;
		uart_write(u, UART_SCR, pattern);
		present = uart_read(u, UART_SCR) == pattern;
	}
	uart_write(u, UART_SCR, saved);
	return present;
}

void uart_init(const struct uart *u)
{
	uart_write(u, UART_IER, 0);
	if (u->baud) {
		u32 divisor = u->clock / (16 * u->baud);
		if (!divisor)
			divisor = 1;
		uart_write(u, UART_LCR, UART_LCR_DLAB);
		uart_write(u, UART_DLL, (u8)divisor);
		uart_write(u, UART_DLM, (u8)(divisor >> 8));
	}
	uart_write(u, UART_LCR, UART_LCR_8N1);
	uart_write(u, UART_FCR, 0xc7); /* enable and clear FIFOs */
	uart_write(u, UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

void uart_putc(const struct uart *u, char c)
{
	for (int spin = 0; spin < UART_SPIN; spin++)
		if (uart_read(u, UART_LSR) & UART_LSR_THRE)
			break;
	uart_write(u, UART_THR, (u8)c);
}

void uart_drain(const struct uart *u)
{
	for (int spin = 0; spin < UART_SPIN; spin++)
		if (uart_read(u, UART_LSR) & UART_LSR_TEMT)
			return;
}
