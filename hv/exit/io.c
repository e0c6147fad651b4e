/*
 * Intercepted port I/O: the guest exit port and the hypervisor test port.
 * Exit qualification per Intel SDM Vol. 3C, "Exit Qualification for I/O
 * Instructions".
 */
#include "hv/exit/io.h"
#include "hv/cpu/vcpu.h"
#include "hv/hypercall.h"
#include "hv/status.h"
#include "hv/guest/end.h"
#include "arch/x86/vmx.h"

struct io_exit {
	u8 size;     /* 2:0, plus one: 1, 2 or 4 bytes */
	bool in;     /* 3 */
	bool string; /* 4 */
	bool rep;    /* 5 */
	u16 port;    /* 31:16 */
};

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

static u64 size_mask(u8 size)
{
	return size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;
}

static enum exit_action io_exit_port(const struct io_exit *io)
{
	if (io->in) {
		/* Reading the exit port gives nothing back, as on QEMU's isa-debug-exit. */
		vcpu.regs->rax |= size_mask(io->size);
		return EXIT_SKIP_INSN;
	}
	guest_end((vcpu.regs->rax & size_mask(io->size)) ? HV_STATUS_GUEST_FAILED : HV_STATUS_OK,
		  "guest wrote status %llu to port 0x%x",
		  (unsigned long long)(vcpu.regs->rax & size_mask(io->size)), GUEST_EXIT_PORT);
}

static enum exit_action io_test_port(const struct io_exit *io)
{
	if (io->in) {
		vcpu.regs->rax = (vcpu.regs->rax & ~size_mask(io->size)) |
				 (HC_PING_MAGIC & size_mask(io->size));
	} else {
		vcpu.test_port_writes++;
	}
	return EXIT_SKIP_INSN;
}

enum exit_action handle_io(void)
{
	struct io_exit io = decode_io(vcpu_exit_qualification());

	if (io.string)
		guest_end(HV_STATUS_GUEST_CRASHED,
			  "string I/O (INS/OUTS) to intercepted port 0x%x is not emulated; guest "
			  "RIP 0x%llx",
			  io.port, (unsigned long long)vmread(GUEST_RIP));
	if (io.port >= GUEST_EXIT_PORT && io.port < GUEST_EXIT_PORT + 4)
		return io_exit_port(&io);
	if (io.port >= HV_TEST_PORT && io.port < HV_TEST_PORT + 4)
		return io_test_port(&io);
	guest_end(HV_STATUS_HV_FAULT, "I/O exit for port 0x%x, which is not intercepted", io.port);
}
