// The Linux guest's workload: a program that makes the kernel work, so that
// a run under the hypervisor causes the exits a real guest causes (system
// calls, page faults, timer interrupts and the idle HLTs of sleeping), and
// runs user code whose retired instructions and branches are known exactly
// (a plain loop, and the same loop around CPUIDs, each a VM exit under
// pmuvisor), so that a hypervisor instruction leaking into the guest's
// counts shows as a difference from the expected count.
// Hosted C, linked statically so the initramfs needs no C library.
//
//   workload [mix|PHASE[,PHASE...]] [ITERATIONS]
//   workload tsc
//
// PHASE is syscall, fault, sleep, loop or cpuid; mix runs them all. Each
// phase prints its iterations and the TSC ticks and nanoseconds it took.
// ITERATIONS replaces every phase's default count. `workload tsc` prints
// the TSC: in Bochs it counts emulated instructions since power-on, so init
// uses it to measure the boot's path length, which, unlike wall time, does
// not depend on how busy the host is.
//
// With WORKLOAD_PERF_CONTROL=CTL,ACK in the environment, the loop and cpuid
// phases run under `perf stat -D -1 --control fd:CTL,ACK`: each has perf
// enable the events led by the one named PHASE-instructions just before its
// loop and disable all events just after, and prints what perf must count
// in that window in user mode:
//
//   workload: loop: expect instructions:u I branches:u B, interrupts N
//
// I and B are exact (the counted code is the assembly below, counted
// instruction by instruction); N is how many interrupts the kernel took
// while the window was open or being opened and closed (/proc/interrupts).
// An interrupt that arrives in user mode adds its IRET, which retires at
// CPL 3, to both counts: perf counts I + r and B + r, with 0 <= r <= N.
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define PAGE_SIZE 4096
#define PAGES_PER_MAPPING 16
#define SLEEP_NS 1000000L
#define CPUID_WORK 100 // loop iterations after each CPUID in the cpuid phase
#define STR(x) #x
#define XSTR(x) STR(x)

struct phase {
	const char *name;
	long default_iterations;
	int (*run)(long iterations);
	const char *unit;
};

// getppid is never cached by the C library, so each call enters the kernel.
static int run_syscalls(long iterations)
{
	for (long i = 0; i < iterations; i++)
		syscall(SYS_getppid);
	return 0;
}

// Each iteration maps fresh anonymous memory, faults every page in by
// writing it, and unmaps it again (which also flushes the TLB entries).
static int run_faults(long iterations)
{
	const size_t len = PAGES_PER_MAPPING * PAGE_SIZE;

	for (long i = 0; i < iterations; i++) {
		volatile char *p =
			mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "workload: mmap: %s\n", strerror(errno));
			return 1;
		}
		for (size_t off = 0; off < len; off += PAGE_SIZE)
			p[off] = (char)i;
		if (munmap((void *)p, len) != 0) {
			fprintf(stderr, "workload: munmap: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}

// Sleeping lets the CPU go idle (HLT) and brings it back on a timer
// interrupt.
static int run_sleeps(long iterations)
{
	const struct timespec t = { .tv_sec = 0, .tv_nsec = SLEEP_NS };

	for (long i = 0; i < iterations; i++) {
		if (nanosleep(&t, NULL) != 0 && errno != EINTR) {
			fprintf(stderr, "workload: nanosleep: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}

// The known-length code, in assembly so that what it retires is exact:
//
//   loop_work(n):    n iterations of ADD, DEC, JNZ:
//                    3n + 2 instructions, n + 1 branches (with MOV and RET)
//   cpuid_work(n, w): n iterations of XOR, XOR, CPUID, MOV, then w iterations
//                    of DEC, JNZ, then DEC, JNZ:
//                    n(2w + 6) + 4 instructions, n(w + 1) + 1 branches
//                    (with PUSH, MOV, POP and RET)
//
// counted_window(ctl, ack, work, a, b) runs work(a, b) inside perf's window:
// it writes window_enable ("enable PHASE-instructions") to perf's control
// descriptor and waits for the ack, runs the work, writes "disable" and
// waits for the ack, each with a raw SYSCALL.
// perf enables the events while we wait in the first read and disables them
// while we wait in the last, and the process runs SCHED_FIFO meanwhile, so
// perf (SCHED_OTHER) cannot run between our SYSCALLs: what the window counts
// in user mode is the return from the first read (SYSRET or IRET, which
// retires at CPL 3, a branch), MOV, MOV and CALL (a branch), the work, MOV,
// MOV, LEA, MOV before the SYSCALL of the write (which retires at CPL 0),
// the return from the write (a branch), and XOR, MOV, MOV, MOV before the
// SYSCALL of the last read: 13 instructions and 3 branches besides the work.
// Returns what the last read returned (the ack's length), or -1.
#define WINDOW_INSTRUCTIONS 13
#define WINDOW_BRANCHES 3
long loop_work(long n, long unused);
long cpuid_work(long n, long w);
long counted_window(int ctl, int ack, long (*work)(long, long), long a, long b);
char window_enable[64];
int window_enable_len;
asm(".text\n"
    ".globl loop_work\n"
    ".type loop_work, @function\n"
    "loop_work:\n"
    "	mov %rdi, %rcx\n"
    "1:	add %rcx, %rax\n"
    "	dec %rcx\n"
    "	jnz 1b\n"
    "	ret\n"
    ".size loop_work, . - loop_work\n"
    "\n"
    ".globl cpuid_work\n"
    ".type cpuid_work, @function\n"
    "cpuid_work:\n"
    "	push %rbx\n"
    "	mov %rdi, %r8\n"
    "1:	xor %eax, %eax\n"
    "	xor %ecx, %ecx\n"
    "	cpuid\n"
    "	mov %rsi, %r9\n"
    "2:	dec %r9\n"
    "	jnz 2b\n"
    "	dec %r8\n"
    "	jnz 1b\n"
    "	pop %rbx\n"
    "	ret\n"
    ".size cpuid_work, . - cpuid_work\n"
    "\n"
    ".globl counted_window\n"
    ".type counted_window, @function\n"
    "counted_window:\n"
    "	push %rbx\n"
    "	push %r12\n"
    "	push %r13\n"
    "	push %r14\n"
    "	push %r15\n"
    "	sub $16, %rsp\n" // the ack's buffer
    "	mov %edi, %r12d\n"
    "	mov %esi, %r13d\n"
    "	mov %rdx, %r14\n"
    "	mov %rcx, %r15\n"
    "	mov %r8, %rbx\n"
    "	mov $1, %eax\n" // write(ctl, "enable PHASE-instructions\n")
    "	mov %r12d, %edi\n"
    "	lea window_enable(%rip), %rsi\n"
    "	mov window_enable_len(%rip), %edx\n"
    "	syscall\n"
    "	cmp %rdx, %rax\n"
    "	jne 9f\n"
    "	xor %eax, %eax\n" // read(ack, buf, 16): perf enables, then acks
    "	mov %r13d, %edi\n"
    "	mov %rsp, %rsi\n"
    "	mov $16, %edx\n"
    "	syscall\n" // counted from its return on
    "	mov %r15, %rdi\n"
    "	mov %rbx, %rsi\n"
    "	call *%r14\n"
    "	mov $1, %eax\n" // write(ctl, "disable\n", 8)
    "	mov %r12d, %edi\n"
    "	lea window_disable(%rip), %rsi\n"
    "	mov $8, %edx\n"
    "	syscall\n"
    "	xor %eax, %eax\n" // read(ack, buf, 16): perf disables, then acks
    "	mov %r13d, %edi\n"
    "	mov %rsp, %rsi\n"
    "	mov $16, %edx\n"
    "	syscall\n" // counted up to here
    "	test %rax, %rax\n"
    "	jg 8f\n"
    "9:	mov $-1, %rax\n"
    "8:	add $16, %rsp\n"
    "	pop %r15\n"
    "	pop %r14\n"
    "	pop %r13\n"
    "	pop %r12\n"
    "	pop %rbx\n"
    "	ret\n"
    ".size counted_window, . - counted_window\n"
    ".section .rodata\n"
    "window_disable: .ascii \"disable\\n\"\n"
    ".text\n");

static int perf_ctl = -1, perf_ack = -1;

// The interrupts the kernel has counted, all CPUs and kinds together
// (/proc/interrupts: the per-CPU columns of every line), or -1.
static long long interrupts_now(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[4096];
	int cpus = 0;
	long long sum = 0;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		for (char *t = strtok(line, " \t\n"); t; t = strtok(NULL, " \t\n"))
			cpus++;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		for (int i = 0; i < cpus; i++) {
			char *end;
			long long v = strtoll(p, &end, 10);
			if (end == p)
				break;
			sum += v;
			p = end;
		}
	}
	fclose(f);
	return sum;
}

// Runs work(a, b), which retires `instructions` and `branches` in user mode,
// inside perf's window when WORKLOAD_PERF_CONTROL is set, and prints what
// perf must count there.
static int run_counted(const char *name, long (*work)(long, long), long a, long b,
		       unsigned long long instructions, unsigned long long branches)
{
	const struct sched_param fifo = { .sched_priority = 1 }, other = { .sched_priority = 0 };
	long long irq_before, irq_after;
	long rc;

	if (perf_ctl < 0) {
		work(a, b);
		return 0;
	}
	window_enable_len =
		snprintf(window_enable, sizeof(window_enable), "enable %s-instructions\n", name);
	// Every page present, so that no page fault (and its IRET) lands in
	// the window; SCHED_FIFO, so that perf runs only while we wait for it.
	if (mlockall(MCL_CURRENT) != 0)
		fprintf(stderr, "workload: mlockall: %s\n", strerror(errno));
	if (sched_setscheduler(0, SCHED_FIFO, &fifo) != 0)
		fprintf(stderr, "workload: SCHED_FIFO: %s\n", strerror(errno));
	irq_before = interrupts_now();
	rc = counted_window(perf_ctl, perf_ack, work, a, b);
	irq_after = interrupts_now();
	sched_setscheduler(0, SCHED_OTHER, &other);
	munlockall();
	if (rc <= 0) {
		fprintf(stderr, "workload: %s: no answer from perf's control descriptors %d,%d\n",
			name, perf_ctl, perf_ack);
		return 1;
	}
	printf("workload: %s: expect instructions:u %llu branches:u %llu, interrupts %lld\n", name,
	       instructions + WINDOW_INSTRUCTIONS, branches + WINDOW_BRANCHES,
	       irq_before < 0 || irq_after < 0 ? -1 : irq_after - irq_before);
	return 0;
}

static int run_loop(long iterations)
{
	return run_counted("loop", loop_work, iterations, 0, 3ull * iterations + 2,
			   (unsigned long long)iterations + 1);
}

// Each CPUID (leaf 0) is a VM exit under pmuvisor: natively it retires in
// user mode; under pmuvisor it does not retire and the VMRESUME that ends
// its exit retires instead, at the guest's CPL.
static int run_cpuid(long iterations)
{
	return run_counted("cpuid", cpuid_work, iterations, CPUID_WORK,
			   (2ull * CPUID_WORK + 6) * iterations + 4,
			   (CPUID_WORK + 1ull) * iterations + 1);
}

static const struct phase phases[] = {
	{ "syscall", 20000, run_syscalls, "getppid calls" },
	{ "fault", 200, run_faults, "mappings of 16 pages" },
	{ "sleep", 50, run_sleeps, "sleeps of 1 ms" },
	{ "loop", 2000000, run_loop, "iterations of 3 instructions" },
	{ "cpuid", 1000, run_cpuid, "CPUIDs, each with " XSTR(CPUID_WORK) " loop iterations" },
};
#define NPHASES (sizeof(phases) / sizeof(phases[0]))

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int run_phase(const struct phase *ph, long iterations)
{
	uint64_t ns = now_ns();
	uint64_t tsc = __rdtsc();
	int rc = ph->run(iterations);

	tsc = __rdtsc() - tsc;
	ns = now_ns() - ns;
	printf("workload: %s: %ld %s, %llu TSC ticks, %llu ns\n", ph->name, iterations, ph->unit,
	       (unsigned long long)tsc, (unsigned long long)ns);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: workload [mix|PHASE[,PHASE...]] [ITERATIONS] | tsc\n"
			"       PHASE: syscall fault sleep loop cpuid\n");
	return 2;
}

// The phase named by the first n characters of s, or NULL.
static const struct phase *phase_named(const char *s, size_t n)
{
	for (size_t i = 0; i < NPHASES; i++)
		if (strlen(phases[i].name) == n && strncmp(s, phases[i].name, n) == 0)
			return &phases[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "mix";
	int mix = strcmp(which, "mix") == 0, selected[NPHASES] = { 0 };
	long iterations = 0;
	int rc = 0;

	if (argc > 3)
		return usage();
	if (strcmp(which, "tsc") == 0) {
		if (argc != 2)
			return usage();
		printf("workload: tsc %llu\n", (unsigned long long)__rdtsc());
		return 0;
	}
	for (const char *p = which; !mix; p++) {
		size_t n = strcspn(p, ",");
		const struct phase *ph = phase_named(p, n);

		if (!ph) {
			fprintf(stderr, "workload: unknown workload '%.*s'\n", (int)n, p);
			return usage();
		}
		selected[ph - phases] = 1;
		p += n;
		if (*p == '\0')
			break;
	}
	if (getenv("WORKLOAD_PERF_CONTROL") &&
	    sscanf(getenv("WORKLOAD_PERF_CONTROL"), "%d,%d", &perf_ctl, &perf_ack) != 2) {
		fprintf(stderr, "workload: WORKLOAD_PERF_CONTROL is not CTL,ACK\n");
		return 2;
	}
	if (argc > 2) {
		char *end;
		iterations = strtol(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || iterations <= 0) {
			fprintf(stderr, "workload: bad iteration count '%s'\n", argv[2]);
			return 2;
		}
	}
	// In the table's order, whatever the order of the list.
	for (size_t i = 0; i < NPHASES; i++)
		if (mix || selected[i])
			rc |= run_phase(&phases[i],
					iterations ? iterations : phases[i].default_iterations);
	fflush(stdout);
	return rc;
}
