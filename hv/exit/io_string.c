/*
 * One element of INS/OUTS. The memory operand's linear address is in the
 * VMCS (segment base included: SDM Vol. 3C, "Exit Qualification for I/O
 * Instructions" and "Guest-Linear Address"); it is translated through the
 * guest's paging, a fault there is the guest's #PF, and the element is
 * copied to or from guest RAM. The address size and the direction flag
 * decide how RSI/RDI and RCX move (SDM Vol. 2, "INS" and "OUTS").
 */
#include "hv/exit/io_string.h"
#include "hv/cpu/vcpu.h"
#include "hv/status.h"
#include "hv/guest/end.h"
#include "arch/x86/cr.h"
#include "arch/x86/paging.h"
#include "arch/x86/paging_walk.h"
#include "arch/x86/vmx.h"
#include "lib/string.h"

#define INSN_INFO_ADDR_SIZE(i) (((i) >> 7) & 7) /* 0: 16-bit, 1: 32-bit, 2: 64-bit */

static bool guest_ram(u64 pa, u64 len)
{
	const struct guest_memory *m = &vcpu.mem;
	return guest_memory_is_ram(m->regions, m->nr_regions, m->hidden, m->nr_hidden, pa,
				   pa + len);
}

static bool read_table(u64 pa, unsigned size, u64 *value)
{
	if (!guest_ram(pa, size))
		return false;
	*value = size == 4 ? *(const u32 *)phys_to_virt(pa) : *(const u64 *)phys_to_virt(pa);
	return true;
}

/* Guest-physical address of each byte; false once the guest has its #PF or has been ended. */
static bool translate(u64 linear, u8 size, bool write, u64 pa[4])
{
	struct paging_regs r = { vmread(GUEST_CR0), vmread(GUEST_CR3), vmread(GUEST_CR4),
				 vmread(GUEST_IA32_EFER) };
	u32 access = (write ? PF_WRITE : 0) | (vcpu_cpl() == 3 ? PF_USER : 0), error = 0;

	for (u8 i = 0; i < size; i++) {
		enum walk_result res =
			paging_walk(&r, linear + i, access, read_table, &pa[i], &error);

		if (res == WALK_PAGE_FAULT) {
			vcpu_inject_page_fault(linear + i, error);
			return false;
		}
		if (res == WALK_BAD_TABLE || !guest_ram(pa[i], 1))
			guest_end(guest_memory_is_hidden(vcpu.mem.hidden, vcpu.mem.nr_hidden, pa[i],
							 pa[i] + 1)
					  ? HV_STATUS_GUEST_CRASHED
					  : HV_STATUS_HV_FAULT,
				  "string I/O at guest-linear 0x%llx: its memory (or a page table) "
				  "is not guest RAM; guest RIP 0x%llx",
				  (unsigned long long)(linear + i),
				  (unsigned long long)vmread(GUEST_RIP));
	}
	return true;
}

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
	u64 pa[4];
	u32 value = 0;

	if (io->rep && !count_of(*rcx, asz))
		return EXIT_SKIP_INSN;
	if (!translate(vmread(GUEST_LINEAR_ADDRESS), io->size, io->in, pa))
		return EXIT_RESUME;
	if (io->in) {
		value = io_port_in(io->port, io->size);
		for (u8 i = 0; i < io->size; i++)
			*(u8 *)phys_to_virt(pa[i]) = (u8)(value >> (8 * i));
	} else {
		for (u8 i = 0; i < io->size; i++)
			value |= (u32) * (const u8 *)phys_to_virt(pa[i]) << (8 * i);
		io_port_out(io->port, io->size, value);
	}
	*index = advance(*index, step, asz);
	if (!io->rep)
		return EXIT_SKIP_INSN;
	*rcx = advance(*rcx, -1, asz);
	return count_of(*rcx, asz) ? EXIT_RESUME : EXIT_SKIP_INSN;
}
