// The Linux guest's workload: a program that makes the kernel work, so that
// a run under the hypervisor causes the exits a real guest causes (system
// calls, page faults, timer interrupts and the idle HLTs of sleeping).
// Hosted C, linked statically so the initramfs needs no C library.
//
//   workload [mix|syscall|fault|sleep] [ITERATIONS]
//   workload tsc
//
// Each phase prints its iterations and the TSC ticks and nanoseconds it
// took. ITERATIONS replaces every phase's default count. `workload tsc`
// prints the TSC: in Bochs it counts emulated instructions since power-on,
// so init uses it to measure the boot's path length, which, unlike wall
// time, does not depend on how busy the host is.
#include <errno.h>
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

static const struct phase phases[] = {
	{ "syscall", 20000, run_syscalls, "getppid calls" },
	{ "fault", 200, run_faults, "mappings of 16 pages" },
	{ "sleep", 50, run_sleeps, "sleeps of 1 ms" },
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
	fprintf(stderr, "usage: workload [mix|syscall|fault|sleep] [ITERATIONS] | tsc\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "mix";
	long iterations = 0;
	int matched = 0, rc = 0;

	if (argc > 3)
		return usage();
	if (strcmp(which, "tsc") == 0) {
		if (argc != 2)
			return usage();
		printf("workload: tsc %llu\n", (unsigned long long)__rdtsc());
		return 0;
	}
	if (argc > 2) {
		char *end;
		iterations = strtol(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || iterations <= 0) {
			fprintf(stderr, "workload: bad iteration count '%s'\n", argv[2]);
			return 2;
		}
	}
	for (size_t i = 0; i < NPHASES; i++) {
		if (strcmp(which, "mix") != 0 && strcmp(which, phases[i].name) != 0)
			continue;
		matched = 1;
		rc |= run_phase(&phases[i], iterations ? iterations : phases[i].default_iterations);
	}
	if (!matched) {
		fprintf(stderr, "workload: unknown workload '%s'\n", which);
		return usage();
	}
	fflush(stdout);
	return rc;
}
