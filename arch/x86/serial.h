/* 16550 UART on COM1, 115200 8N1, polled. */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

#include "lib/types.h"

#define COM1_BASE 0x3f8
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

#define BOCHS_E9_PORT 0xe9 /* Bochs port_e9_hack, QEMU -debugcon */

#ifndef __ASSEMBLY__
void serial_init(void);
void serial_putc(char c);
void serial_drain(void);
#endif /* __ASSEMBLY__ */

#endif
