/* Hypercalls (ABI in hv/base/hypercall.h). */
#include "hv/exit/vmcall.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/hypercall.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "arch/x86/paging.h"

#define HC_PUTS_MAX 256

static void hc_return(u64 value)
{
	vcpu.regs->rax = (u32)value;
	vcpu.regs->rdx = value >> 32;
}

/* The string must lie in guest RAM: the guest cannot make us read our own memory. */
static u64 hc_puts(u64 gpa)
{
	char buf[HC_PUTS_MAX + 1];
	int n = 0;

	for (; n < HC_PUTS_MAX; n++) {
		if (!guest_memory_is_ram(vcpu.mem.regions, vcpu.mem.nr_regions, vcpu.mem.hidden,
					 vcpu.mem.nr_hidden, gpa + n, gpa + n + 1))
			return HC_ERROR;
		buf[n] = *(const char *)phys_to_virt(gpa + n);
		if (!buf[n])
			break;
	}
	buf[n] = '\0';
	pr_info("guest: %s", buf);
	return 0;
}

static u64 hc_read_counter(u64 which, u64 arg)
{
	switch (which) {
	case HC_COUNTER_EXITS_TOTAL:
		return vcpu_exits_total();
	case HC_COUNTER_EXITS_REASON:
		return arg < EXIT_REASON_MAX ? vcpu.exit_counts[arg] : HC_ERROR;
	default:
		return HC_ERROR;
	}
}

/*
 * Hypercalls are for the guest's kernel: at CPL > 0 VMCALL is the
 * undefined opcode it is on a processor without a hypervisor.
 */
enum exit_action handle_vmcall(void)
{
	struct guest_regs *g = vcpu.regs;
	u32 nr = (u32)g->rax;

	if (vcpu_cpl() != 0) {
		vcpu_inject_ud();
		return EXIT_RESUME;
	}

	switch (nr) {
	case HC_PING:
		hc_return(HC_PING_MAGIC);
		break;
	case HC_PUTS:
		hc_return(hc_puts((u32)g->rbx));
		break;
	case HC_EXIT:
		return guest_stop((u32)g->rbx ? HV_STATUS_GUEST_FAILED : HV_STATUS_OK,
				  "guest called HC_EXIT with status %u", (u32)g->rbx);
	case HC_READ_COUNTER:
		hc_return(hc_read_counter((u32)g->rbx, (u32)g->rcx));
		break;
	default:
		hc_return(HC_ERROR);
		break;
	}
	return EXIT_SKIP_INSN;
}
