/* The runtime's flat GDT, shared by entry.S (which loads it) and trap.c (IDT gates). */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

#define GUEST_CS 0x08 /* flat 32-bit code, ring 0 */
#define GUEST_DS 0x10 /* flat data, ring 0 */

#endif
