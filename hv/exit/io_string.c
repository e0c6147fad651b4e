/*
 * One element of INS/OUTS. The memory operand's linear address is in the
 * VMCS (segment base included: SDM Vol. 3C, "Exit Qualification for I/O
 * Instructions" and "Guest-Linear Address"); it is translated through the
 * guest's paging, a fault there is the guest's #PF, and the element is
 * copied to or from guest RAM. The address size and the direction flag
 * decide how RSI/RDI and RCX move (SDM Vol. 2, "INS" and "OUTS").
 */
#include "hv/exit/io_string.h"
#include "hv/exit/guest_mem.h"
#include "hv/cpu/vcpu.h"
#include "arch/x86/cr.h"
#include "arch/x86/paging_walk.h"
#include "arch/x86/vmx.h"

#define INSN_INFO_ADDR_SIZE(i) (((i) >> 7) & 7) /* 0: 16-bit, 1: 32-bit, 2: 64-bit */

/* A register used at an address size: 16 bits merge, 32 bits zero-extend. */
static u64 advance(u64 reg, s64 delta, unsigned addr_size)
{
	if (addr_size == 0)
		return (reg & ~0xffffULL) | ((reg + delta) & 0xffff);
	if (addr_size == 1)
		return (u32)(reg + delta);
	return reg + delta;
}

static u64 count_of(u64 rcx, unsigned addr_size)
{
	return addr_size == 0 ? rcx & 0xffff : addr_size == 1 ? (u32)rcx : rcx;
}

enum exit_action io_string_element(const struct io_exit *io)
{
	unsigned asz = INSN_INFO_ADDR_SIZE(vmread(VMX_INSTRUCTION_INFO));
	u64 *index = io->in ? &vcpu.regs->rdi : &vcpu.regs->rsi, *rcx = &vcpu.regs->rcx;
	s64 step = (vmread(GUEST_RFLAGS) & X86_EFLAGS_DF) ? -(s64)io->size : io->size;
	u64 linear = vmread(GUEST_LINEAR_ADDRESS);
	u32 user = vcpu_cpl() == 3 ? PF_USER : 0, value = 0;

	if (io->rep && !count_of(*rcx, asz))
		return EXIT_SKIP_INSN;
	/* The port is read only once the memory is known to take the value. */
	if (io->in) {
		if (!guest_linear_probe(linear, io->size, PF_WRITE | user))
			return guest_stop_requested() ? EXIT_END : EXIT_RESUME;
		value = io_port_in(io->port, io->size);
		guest_linear_write(linear, &value, io->size, user);
	} else {
		if (!guest_linear_read(linear, &value, io->size, user))
			return guest_stop_requested() ? EXIT_END : EXIT_RESUME;
		/* A write that ends the guest leaves RSI and RCX as they were. */
		if (!io_port_out(io->port, io->size, value))
			return EXIT_END;
	}
	*index = advance(*index, step, asz);
	if (!io->rep)
		return EXIT_SKIP_INSN;
	*rcx = advance(*rcx, -1, asz);
	return count_of(*rcx, asz) ? EXIT_RESUME : EXIT_SKIP_INSN;
}
