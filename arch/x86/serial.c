#include "arch/x86/serial.h"
#include "arch/x86/io.h"

void serial_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, UART_LCR_DLAB);
	outb(COM1_BASE + UART_DLL, 1); /* 115200 / 1 */
	outb(COM1_BASE + UART_DLM, 0);
	outb(COM1_BASE + UART_LCR, UART_LCR_8N1);
	outb(COM1_BASE + UART_FCR, 0xc7); /* enable and clear FIFOs */
	outb(COM1_BASE + UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

void serial_putc(char c)
{
	/* Bounded: a missing UART reads 0xff, a wedged one must not hang us. */
	for (int spin = 0; spin < 1000000; spin++)
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1_BASE + UART_THR, (u8)c);
}

/* Emulators drop bytes still in the FIFO when they exit: wait for TEMT. */
void serial_drain(void)
{
	for (int spin = 0; spin < 1000000; spin++)
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_TEMT)
			return;
}
