/*
 * Intercepted port I/O: the guest exit port, the hypervisor test port and
 * the ports through which the guest powers off or resets the machine
 * (hv/exit/power.c).
 * An access exits if any port it covers is intercepted, and always when
 * it wraps past 0xffff (SDM Vol. 3C, "I/O-Instruction Exiting"): one that
 * lies wholly inside an intercepted block is the block's; any other
 * (straddling into a block, or wrapping) reaches no port of ours and is
 * performed on the hardware as the guest issued it. String I/O (INS,
 * OUTS) is emulated one element per exit through the guest's own paging;
 * a REP form is re-executed until its count runs out, as the processor
 * itself resumes it. Exit qualification per SDM Vol. 3C, "Exit
 * Qualification for I/O Instructions".
 */
#include "hv/exit/io.h"
#include "hv/exit/io_string.h"
#include "hv/exit/power.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/hypercall.h"
#include "hv/base/status.h"
#include "arch/x86/io.h"
#include "arch/x86/vmx.h"

struct port_block {
	u16 first, count;
	u32 (*in)(u16 port, u8 size);
	bool (*out)(u16 port, u8 size, u32 value); /* false: the write ends the guest */
};

static u32 size_mask(u8 size)
{
	return size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
}

/* Reading the exit port gives nothing back, as on QEMU's isa-debug-exit. */
static u32 exit_port_in(u16 port, u8 size)
{
	(void)port;
	return size_mask(size);
}

static bool exit_port_out(u16 port, u8 size, u32 value)
{
	(void)port;
	value &= size_mask(size);
	guest_stop(value ? HV_STATUS_GUEST_FAILED : HV_STATUS_OK,
		   "guest wrote status %u to port 0x%x", value, GUEST_EXIT_PORT);
	return false;
}

static u32 test_port_in(u16 port, u8 size)
{
	(void)port;
	return HC_PING_MAGIC & size_mask(size);
}

static bool test_port_out(u16 port, u8 size, u32 value)
{
	(void)port;
	(void)size;
	(void)value;
	vcpu.test_port_writes++;
	return true;
}

static const struct port_block port_blocks[] = {
	{ GUEST_EXIT_PORT, 4, exit_port_in, exit_port_out },
	{ HV_TEST_PORT, 4, test_port_in, test_port_out },
};

/* The power ports are known only once the FADT is read: power.c decides. */
static const struct port_block power_block = { 0, 0, power_port_in, power_port_out };

static const struct port_block *find_block(u16 port, u8 size)
{
	for (size_t i = 0; i < ARRAY_SIZE(port_blocks); i++) {
		const struct port_block *b = &port_blocks[i];
		if (port >= b->first && (u32)port + size <= (u32)b->first + b->count)
			return b;
	}
	return power_port_owns(port, size) ? &power_block : NULL;
}

u32 io_port_in(u16 port, u8 size)
{
	const struct port_block *b = find_block(port, size);

	if (b)
		return b->in(port, size);
	return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

bool io_port_out(u16 port, u8 size, u32 value)
{
	const struct port_block *b = find_block(port, size);

	if (b)
		return b->out(port, size, value);
	if (size == 1)
		outb(port, (u8)value);
	else if (size == 2)
		outw(port, (u16)value);
	else
		outl(port, value);
	return true;
}

static struct io_exit decode_io(u64 q)
{
	return (struct io_exit){
		.size = (u8)((q & 7) + 1),
		.in = (q >> 3) & 1,
		.string = (q >> 4) & 1,
		.rep = (q >> 5) & 1,
		.port = (u16)(q >> 16),
	};
}

enum exit_action handle_io(void)
{
	struct io_exit io = decode_io(vcpu_exit_qualification());
	u64 *rax = &vcpu.regs->rax;

	if (io.string)
		return io_string_element(&io);
	if (!io.in) {
		if (!io_port_out(io.port, io.size, (u32)*rax & size_mask(io.size)))
			return EXIT_END;
	} else if (io.size == 4)
		*rax = io_port_in(io.port, io.size); /* a 32-bit result zero-extends */
	else
		*rax = (*rax & ~(u64)size_mask(io.size)) | io_port_in(io.port, io.size);
	return EXIT_SKIP_INSN;
}
