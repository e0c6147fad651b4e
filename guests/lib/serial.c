/*
 * COM1, a 16550 at 115200 8N1. The hypervisor drives the same UART, so the
 * guest reprograms it only after the transmitter has emptied: resetting the
 * FIFOs earlier would drop the hypervisor's last bytes.
 */
#include "guests/lib/runtime.h"
#include "guests/lib/cpu.h"

#define COM1 0x3f8
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor high (DLAB=1) */
#define UART_FCR 2 /* FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define UART_FCR_ENABLE_CLEAR 0xc7 /* FIFOs on, both cleared, 14-byte trigger */
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR_RTS_OUT2 0x0b
#define UART_LSR_THRE 0x20 /* room for another byte */
#define UART_LSR_TEMT 0x40 /* FIFO and shift register empty */
#define UART_DIVISOR_115200 1

/* Bounded: an absent UART reads 0xff (so ends at once), a wedged one must not hang us. */
#define UART_SPIN_LIMIT 1000000

static void wait_lsr(u8 bit)
{
	for (int spin = 0; spin < UART_SPIN_LIMIT; spin++)
		if (inb(COM1 + UART_LSR) & bit)
			return;
}

void serial_init(void)
{
	serial_drain();
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, UART_DIVISOR_115200);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	wait_lsr(UART_LSR_THRE);
	outb(COM1 + UART_THR, (u8)c);
}

/* Emulators drop what is still in the FIFO when they exit. */
void serial_drain(void)
{
	wait_lsr(UART_LSR_TEMT);
}
