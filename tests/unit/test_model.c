/* The hardware model itself: tests elsewhere are only as good as it is. */
#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "arch/x86/cr.h"
#include "arch/x86/io.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/serial.h"

TEST(model_msr_file)
{
	const struct model_msr *m;
	u64 v = 1;

	CHECK(!model_msr_present(MSR_IA32_PERF_CAPABILITIES));
	CHECK(!rdmsr_safe(MSR_IA32_PERF_CAPABILITIES, &v));
	CHECK_EQ_U64(v, 0);
	CHECK(!wrmsr_safe(MSR_IA32_PERF_CAPABILITIES, 5));
	CHECK(!model_msr_present(MSR_IA32_PERF_CAPABILITIES)); /* not created */

	model_msr_set(MSR_IA32_PERF_CAPABILITIES, 0x2000);
	CHECK(rdmsr_safe(MSR_IA32_PERF_CAPABILITIES, &v));
	CHECK_EQ_U64(v, 0x2000);
	CHECK(wrmsr_safe(MSR_IA32_PERF_CAPABILITIES, 0x1234));
	wrmsr(MSR_IA32_PERF_CAPABILITIES, 0x5678);
	CHECK_EQ_U64(rdmsr(MSR_IA32_PERF_CAPABILITIES), 0x5678);
	CHECK_EQ_U64(model_msr_get(MSR_IA32_PERF_CAPABILITIES), 0x5678);
	m = model_msr_entry(MSR_IA32_PERF_CAPABILITIES);
	if (CHECK(m != NULL)) {
		CHECK_EQ_U64(m->reads, 2);
		CHECK_EQ_U64(m->writes, 2);
	}

	model_msr_remove(MSR_IA32_PERF_CAPABILITIES);
	CHECK(!rdmsr_safe(MSR_IA32_PERF_CAPABILITIES, &v));
}

TEST(model_cpuid_table)
{
	struct cpuid_regs r;

	r = cpuid(1);
	CHECK_EQ_U64(r.eax | r.ebx | r.ecx | r.edx, 0);
	model_cpuid_set(1, MODEL_ANY_SUBLEAF,
			(struct cpuid_regs){ 0x906ea, 0, CPUID_1_ECX_VMX, 0 });
	model_cpuid_set(CPUID_LEAF_PMU, 0, (struct cpuid_regs){ 0x7300404, 0, 0, 0x603 });
	CHECK_EQ_U64(cpuid(1).ecx, CPUID_1_ECX_VMX);
	CHECK_EQ_U64(cpuid_count(1, 5).eax, 0x906ea);
	CHECK_EQ_U64(cpuid(CPUID_LEAF_PMU).eax, 0x7300404);
	CHECK_EQ_U64(cpuid_count(CPUID_LEAF_PMU, 1).eax, 0);
	/* setting a leaf again replaces it */
	model_cpuid_set(CPUID_LEAF_PMU, 0, (struct cpuid_regs){ 0x4, 0, 0, 0 });
	CHECK_EQ_U64(cpuid(CPUID_LEAF_PMU).eax, 0x4);
	CHECK_EQ_U64(cpuid(CPUID_LEAF_PMU).edx, 0);
}

TEST(model_physical_memory)
{
	u8 *host = model_mem_map(0x100000, 0x2000, 0x5a);

	CHECK(phys_to_virt(0x100000) == host);
	CHECK(phys_to_virt(0x101fff) == host + 0x1fff);
	CHECK_EQ_U64(*(u8 *)phys_to_virt(0x100010), 0x5a);
	CHECK(model_mem_ptr(0x101000, 0x1000) == host + 0x1000);
}

TEST(model_com1_captures_text_not_divisor)
{
	struct uart com1 = {
		.base = COM1_BASE, .stride = 1, .baud = 115200, .clock = UART_CLOCK_HZ
	};

	uart_init(&com1); /* writes the divisor through the THR port */
	CHECK_STR(model_com1_output(), "");
	CHECK_EQ_U64(inb(COM1_BASE + UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	uart_putc(&com1, 'o');
	uart_putc(&com1, 'k');
	CHECK_STR(model_com1_output(), "ok");
	outb(COM1_BASE + UART_LCR, UART_LCR_DLAB | UART_LCR_8N1);
	outb(COM1_BASE + UART_DLL, 3);
	outb(COM1_BASE + UART_LCR, UART_LCR_8N1);
	CHECK_STR(model_com1_output(), "ok");
	model_com1_clear();
	CHECK_STR(model_com1_output(), "");
	/* an absent port floats high */
	CHECK_EQ_U64(inb(BOCHS_E9_PORT), 0xff);
}

static void returns(void *arg)
{
	(*(int *)arg)++;
}

TEST(model_expect_exit_when_nothing_exits)
{
	int calls = 0;

	CHECK(!model_expect_exit(returns, &calls));
	CHECK_EQ_U64(calls, 1);
	CHECK(!model_platform.exited);
}

TEST(model_tsc_steps)
{
	model_tsc_set(1000, 7);
	CHECK_EQ_U64(rdtsc(), 1000);
	CHECK_EQ_U64(rdtsc(), 1007);
}

TEST(model_reset_restores_power_on_state)
{
	u64 v;

	model_msr_set(MSR_EFER, EFER_LME);
	model_cpuid_set(1, 0, (struct cpuid_regs){ 1, 2, 3, 4 });
	outb(COM1_BASE + UART_THR, 'x');
	model_e9_enable(true);
	model_tsc_set(50, 2);
	model_reset();
	CHECK(!rdmsr_safe(MSR_EFER, &v));
	CHECK_EQ_U64(cpuid(1).eax, 0);
	CHECK_STR(model_com1_output(), "");
	CHECK_EQ_U64(inb(BOCHS_E9_PORT), 0xff);
	CHECK_EQ_U64(rdtsc(), 0);
}
