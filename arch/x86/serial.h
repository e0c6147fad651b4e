/*
 * 16550 UART, polled: on an I/O port (COM1 0x3f8, COM2 0x2f8, any other
 * base) or memory-mapped, with its registers 1 or 4 bytes apart (PC16550D
 * data sheet, "Registers"). boot/entry.S uses COM1 for its one early line.
 */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

#include "lib/types.h"

#define COM1_BASE 0x3f8
#define COM2_BASE 0x2f8
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_MCR 4
#define UART_MCR_DTR_RTS_OUT2 0x0b
#define UART_LSR 5
#define UART_LSR_THRE 0x20 /* room for a byte */
#define UART_LSR_TEMT 0x40 /* transmitter fully empty */
#define UART_SCR 7	   /* scratch: plain storage on every 16450/16550 */
#define UART_REGS 8

#define UART_CLOCK_HZ 1843200 /* the PC's UART clock: divisor 1 is 115200 baud */
#define UART_DEFAULT_BAUD 115200

#define BOCHS_E9_PORT 0xe9 /* Bochs port_e9_hack, QEMU -debugcon */

#ifndef __ASSEMBLY__
struct uart {
	bool mmio; /* base is a physical address (below 4 GiB), else an I/O port */
	u64 base;
	u8 stride; /* bytes from one register to the next: 1, or 4 for 32-bit MMIO */
	u32 baud;  /* 0: keep the divisor the firmware programmed */
	u32 clock; /* input clock in Hz, for the divisor */
};

/* A UART answers at u: its scratch register keeps what is written. */
bool uart_present(const struct uart *u);
/* 8N1 at u->baud, FIFOs on, interrupts off. */
void uart_init(const struct uart *u);
void uart_putc(const struct uart *u, char c);
/* Wait until the last byte has left: emulators drop what is still in the FIFO. */
void uart_drain(const struct uart *u);
#endif /* __ASSEMBLY__ */

#endif
