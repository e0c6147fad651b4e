/*
 * Exceptions taken in the hypervisor. A fault listed in the exception
 * fixup table resumes at its fixup; anything else is fatal: dump the state
 * and end the run, never a silent triple fault.
 */
#include "arch/x86/cr.h"
#include "arch/x86/desc.h"
#include "arch/x86/extable.h"
#include "arch/x86/nmi.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/panic.h"

static const char *const exception_names[NR_EXCEPTIONS] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor segment overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD error",
	"#VE virtualization exception",
	"#CP control protection",
};

static void dump_trap_frame(const struct trap_frame *f)
{
	const char *name = f->vector < NR_EXCEPTIONS && exception_names[f->vector]
				   ? exception_names[f->vector]
				   : "reserved";

	arch_panic_printf("pmuvisor: FATAL exception %llu (%s) error code 0x%llx\n",
			  (unsigned long long)f->vector, name, (unsigned long long)f->error_code);
	arch_panic_printf("  RIP=%016llx CS=%04llx RFLAGS=%016llx\n", (unsigned long long)f->rip,
			  (unsigned long long)f->cs, (unsigned long long)f->rflags);
	arch_panic_printf("  RSP=%016llx SS=%04llx CR2=%016llx CR3=%016llx\n",
			  (unsigned long long)f->rsp, (unsigned long long)f->ss,
			  (unsigned long long)read_cr2(), (unsigned long long)read_cr3());
	arch_panic_printf("  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
			  (unsigned long long)f->rax, (unsigned long long)f->rbx,
			  (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	arch_panic_printf("  RSI=%016llx RDI=%016llx RBP=%016llx\n", (unsigned long long)f->rsi,
			  (unsigned long long)f->rdi, (unsigned long long)f->rbp);
	arch_panic_printf("  R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n",
			  (unsigned long long)f->r8, (unsigned long long)f->r9,
			  (unsigned long long)f->r10, (unsigned long long)f->r11);
	arch_panic_printf("  R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n",
			  (unsigned long long)f->r12, (unsigned long long)f->r13,
			  (unsigned long long)f->r14, (unsigned long long)f->r15);
}

void exception_dispatch(struct trap_frame *f);

void exception_dispatch(struct trap_frame *f)
{
	u64 fixup;

	/* Never fatal: an NMI in root operation is the guest's, delivered at the next entry. */
	if (f->vector == NMI_VECTOR) {
		nmi_taken_in_root();
		return;
	}
	fixup = extable_lookup(f->rip);
	if (fixup) {
		f->rip = fixup;
		return;
	}
	dump_trap_frame(f);
	arch_panic_end();
}
