/*
 * hello: the smallest pmuvisor guest. It checks what the hypervisor promises
 * every guest: VMX hidden, the hypervisor CPUID leaf, hypercalls, the test
 * port and the exit counters. With "native" on its command line it skips
 * the hypervisor-only checks, so it also runs on bare QEMU (where VMCALL
 * raises #UD) to test the runtime itself.
 */
#include "guests/lib/guest.h"
#include "hv/base/hypercall.h"
#include "lib/string.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_LEAF_HV_BASE 0x40000000
#define EXIT_REASON_VMCALL 18 /* SDM Vol. 3D, appendix "VMX Basic Exit Reasons" */
#define NR_PINGS 5	      /* the exit-count check below relies on this many VMCALLs */
#define NR_TEST_PORT_WRITES 3
#define VECTOR_UD 6 /* invalid opcode */

const char guest_name[] = "hello";

/* UD2 through the fixup table: proves the exception path resumes with the vector recorded. */
static bool ud2_fixed_up(u32 *vector)
{
	u32 faulted = 1;

	guest_fault_vector = 0;
	asm volatile("1: ud2\n\t"
		     "movl $0, %[f]\n"
		     "2:\n\t" GUEST_EXTABLE_ENTRY("1b", "2b")
		     : [f] "+r"(faulted)
		     :
		     : "memory");
	*vector = guest_fault_vector;
	return faulted;
}

static void check_runtime(void)
{
	u32 vector = 0;
	bool fixed = ud2_fixed_up(&vector);

	CHECK(fixed && vector == VECTOR_UD, "exception fixup: UD2 resumed after #UD (vector %u)",
	      vector);
}

static void check_cpuid(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	char sig[12];

	CHECK(!(r.ecx & CPUID_1_ECX_VMX), "CPUID.1:ECX.VMX[bit 5] is hidden (ECX 0x%08x)", r.ecx);
	r = cpuid(CPUID_LEAF_HV_BASE, 0);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	CHECK(!memcmp(sig, HV_CPUID_SIGNATURE, sizeof(sig)),
	      "CPUID 0x40000000 signature is \"pmuvisor\" (EBX 0x%08x ECX 0x%08x EDX 0x%08x)",
	      r.ebx, r.ecx, r.edx);
	CHECK(r.eax >= CPUID_LEAF_HV_BASE + 1, "CPUID 0x40000000: EAX 0x%08x >= 0x40000001", r.eax);
}

static void check_hypercalls(void)
{
	int good = 0;

	for (int i = 0; i < NR_PINGS; i++)
		if (vmcall(HC_PING, 0, 0, 0) == HC_PING_MAGIC)
			good++;
	CHECK(good == NR_PINGS, "%d of %d HC_PING hypercalls returned HC_PING_MAGIC", good,
	      NR_PINGS);
}

static void check_test_port(void)
{
	u32 v;

	for (u32 i = 0; i < NR_TEST_PORT_WRITES; i++)
		outl(HV_TEST_PORT, i);
	v = inl(HV_TEST_PORT);
	CHECK(v == HC_PING_MAGIC, "inl from the test port 0x%x returned 0x%08x (want 0x%08x)",
	      HV_TEST_PORT, v, HC_PING_MAGIC);
}

static void check_exit_counter(void)
{
	u64 n = vmcall(HC_READ_COUNTER, HC_COUNTER_EXITS_REASON, EXIT_REASON_VMCALL, 0);

	CHECK(n >= NR_PINGS && n != HC_ERROR, "HC_READ_COUNTER: %llu VMCALL exits so far (>= %d)",
	      (unsigned long long)n, NR_PINGS);
}

int guest_main(const char *cmdline)
{
	bool native = guest_cmdline_has(cmdline, "native");

	guest_printf("hello: hello from a pmuvisor test guest\n");
	guest_printf("hello: command line \"%s\"\n", cmdline);
	check_runtime();
	if (native) {
		guest_printf("hello: native: skipping the hypervisor-only checks\n");
		guest_finish();
	}
	check_cpuid();
	check_hypercalls();
	check_test_port();
	check_exit_counter();
	guest_finish();
}
