/*
 * kvm-peer: a small VMM on Linux KVM that runs pmuvisor's multiboot guests
 * (guests/exit-bench above all) the way pmuvisor runs them, so that KVM's
 * round trips can be put next to pmuvisor's on the same CPU.
 *
 *   kvm-peer [--name NAME] [--mem MIB] GUEST.elf [GUEST ARGS...]
 *
 * The guest gets what pmuvisor gives it: 32-bit protected mode at its ELF
 * entry with a multiboot1 information structure (memory map, command
 * line), COM1, the exit port (a 32-bit write of the status to 0xf4 ends it,
 * as under pmuvisor and QEMU's isa-debug-exit) and the test port 0x520. It
 * also gets the CPUID KVM supports (KVM_GET_SUPPORTED_CPUID, with the
 * hypervisor bit set as QEMU sets it), leaf 0xA as KVM reports it, and KVM's in-kernel local APIC (KVM_CREATE_IRQCHIP: the
 * mediated vPMU needs it). The operations exit-bench measures go where
 * they go under KVM: CPUID and VMCALL are handled in the kernel, the test
 * port and the benchmark MSR (0x40000100, through KVM's user-space MSR
 * exits) come out to this program, as a device model's would.
 *
 * The guest's output goes to stdout; after the guest's "=== pmuvisor
 * results begin ===" line kvm-peer adds meta lines that name the platform
 * (meta,hypervisor,kvm, meta,platform,NAME, the kernel release and KVM's PMU
 * parameters as meta,MODULE_PARAMETER,VALUE). The exit status is the
 * guest's, or 4 (a KVM call failed) or 5 (the guest crashed: shutdown,
 * entry failure, internal error), as pmuvisor's statuses.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define STATUS_HV_FAULT 4
#define STATUS_GUEST_CRASHED 5

#define COM1 0x3f8
#define UART_LSR (COM1 + 5)
#define UART_LSR_IDLE 0x60 /* THR and transmitter empty */
#define EXIT_PORT 0xf4
#define TEST_PORT 0x520
#define BENCH_MSR 0x40000100
#define PING_MAGIC 0x564d5550u /* what pmuvisor returns for both */
#define BOCHS_SHUTDOWN_PORT 0x8900

#define MB1_BOOTLOADER_MAGIC 0x2badb002u
#define MB1_INFO_MEMORY (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MMAP (1u << 6)
#define MB1_INFO_ADDR 0x9000u
#define MB1_MMAP_ADDR 0x9100u
#define MB1_CMDLINE_ADDR 0x9800u
#define MB1_CMDLINE_MAX 0x800u
#define LOW_MEM_END 0x9fc00u
#define TSS_ADDR 0xfffbd000u /* three pages KVM needs below 4 GiB, outside RAM */

#define RESULTS_BEGIN "=== pmuvisor results begin ==="

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb1_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct vm {
	int kvm, vm, vcpu;
	uint8_t *mem;
	uint64_t mem_size;
	struct kvm_run *run;
	const char *name;
	char line[512]; /* the guest's current output line */
	size_t line_len;
};

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kvm-peer: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(status);
}

static int kvm_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int r = ioctl(fd, req, arg);
	if (r < 0)
		die(STATUS_HV_FAULT, "%s: %s", what, strerror(errno));
	return r;
}

static void *guest_ptr(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa)
		die(STATUS_HV_FAULT, "guest range 0x%llx+0x%llx outside its %llu MiB",
		    (unsigned long long)gpa, (unsigned long long)len,
		    (unsigned long long)(vm->mem_size >> 20));
	return vm->mem + gpa;
}

static void *read_file(const char *path, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0 || fstat(fd, &st) < 0)
		die(3, "%s: %s", path, strerror(errno));
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die(3, "%s: %s", path, strerror(errno));
	close(fd);
	*size = (size_t)st.st_size;
	return p;
}

/* Copy the PT_LOAD segments of a 32-bit ELF to their physical addresses; returns the entry. */
static uint32_t load_elf32(struct vm *vm, const char *path)
{
	size_t size;
	const uint8_t *f = read_file(path, &size);
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)f;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_386)
		die(3, "%s: not a 32-bit x86 ELF (pmuvisor's multiboot guests are)", path);
	if (eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > size)
		die(3, "%s: program headers beyond the file", path);
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf32_Phdr *ph = (const Elf32_Phdr *)(f + eh->e_phoff) + i;
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_offset + (uint64_t)ph->p_filesz > size || ph->p_filesz > ph->p_memsz)
			die(3, "%s: segment %d beyond the file", path, i);
		uint8_t *dst = guest_ptr(vm, ph->p_paddr, ph->p_memsz);
		memcpy(dst, f + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
	return eh->e_entry;
}

/* The multiboot1 information the guest's entry reads: memory map and command line. */
static void write_multiboot_info(struct vm *vm, const char *cmdline)
{
	struct mb1_info *info = guest_ptr(vm, MB1_INFO_ADDR, sizeof(*info));
	struct mb1_mmap_entry *mm = guest_ptr(vm, MB1_MMAP_ADDR, 2 * sizeof(*mm));
	size_t n = strlen(cmdline);

	if (n >= MB1_CMDLINE_MAX)
		die(3, "guest command line longer than %u bytes", MB1_CMDLINE_MAX - 1);
	memcpy(guest_ptr(vm, MB1_CMDLINE_ADDR, n + 1), cmdline, n + 1);
	mm[0] = (struct mb1_mmap_entry){ sizeof(mm[0]) - 4, 0, LOW_MEM_END, 1 };
	mm[1] = (struct mb1_mmap_entry){ sizeof(mm[1]) - 4, 1 << 20, vm->mem_size - (1 << 20), 1 };
	*info = (struct mb1_info){
		.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MMAP,
		.mem_lower = LOW_MEM_END >> 10,
		.mem_upper = (uint32_t)((vm->mem_size >> 10) - 1024),
		.cmdline = MB1_CMDLINE_ADDR,
		.mmap_length = 2 * sizeof(*mm),
		.mmap_addr = MB1_MMAP_ADDR,
	};
}

static void create_vm(struct vm *vm, uint64_t mib)
{
	struct kvm_userspace_memory_region region;

	/*
	 * Only Intel's KVM is the peer: another module behind /dev/kvm (a
	 * paravirtual one, say) would run the guest some other way, or not.
	 */
	if (access("/sys/module/kvm_intel", F_OK))
		die(2, "kvm_intel is not loaded: /dev/kvm is not Intel KVM here");
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		die(2, "/dev/kvm: %s (load kvm and kvm-intel)", strerror(errno));
	if (ioctl(vm->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die(2, "/dev/kvm speaks another KVM API version than %d", KVM_API_VERSION);
	vm->vm = kvm_ioctl(vm->kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	kvm_ioctl(vm->vm, KVM_SET_TSS_ADDR, (void *)(uintptr_t)TSS_ADDR, "KVM_SET_TSS_ADDR");
	kvm_ioctl(vm->vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
	vm->mem_size = mib << 20;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (vm->mem == MAP_FAILED)
		die(STATUS_HV_FAULT, "no memory for a %llu MiB guest", (unsigned long long)mib);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	kvm_ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &region, "KVM_SET_USER_MEMORY_REGION");
}

/*
 * RDMSR/WRMSR that KVM would answer with #GP come out to us
 * (KVM_EXIT_X86_RDMSR/WRMSR): the benchmark MSR then behaves as under
 * pmuvisor, and every other such access gets its #GP (msr.error). The MSRs
 * KVM knows stay in the kernel.
 */
static void enable_user_space_msrs(struct vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };

	if (ioctl(vm->kvm, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0)
		die(2, "KVM lacks KVM_CAP_X86_USER_SPACE_MSR (Linux 5.10 or later)");
	/* Which of the two reasons an unknown MSR gives depends on the kernel version. */
	cap.args[0] = KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_UNKNOWN;
	kvm_ioctl(vm->vm, KVM_ENABLE_CAP, &cap, "KVM_ENABLE_CAP(USER_SPACE_MSR)");
}

static void set_cpuid(struct vm *vm)
{
	enum { MAX_ENTRIES = 256 };
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_ENTRIES * sizeof(c->entries[0]));

	if (!c)
		die(STATUS_HV_FAULT, "out of memory");
	c->nent = MAX_ENTRIES;
	kvm_ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, c, "KVM_GET_SUPPORTED_CPUID");
	/* A VMM says it is one (CPUID.1:ECX[31]), as QEMU does and pmuvisor does. */
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= 1u << 31;
	kvm_ioctl(vm->vcpu, KVM_SET_CPUID2, c, "KVM_SET_CPUID2");
	free(c);
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = 1,
		.s = 1,
		.l = 0,
		.g = 1,
	};
}

/* 32-bit protected mode, paging off, flat segments: the multiboot1 machine state. */
static void set_entry_state(struct vm *vm, uint32_t entry)
{
	struct kvm_sregs s;
	struct kvm_regs r = { 0 };

	kvm_ioctl(vm->vcpu, KVM_GET_SREGS, &s, "KVM_GET_SREGS");
	s.cs = flat_segment(0x08, 0xb);
	s.ds = s.es = s.fs = s.gs = s.ss = flat_segment(0x10, 0x3);
	s.cr0 = 0x11; /* PE, ET */
	s.cr4 = 0;
	s.efer = 0;
	kvm_ioctl(vm->vcpu, KVM_SET_SREGS, &s, "KVM_SET_SREGS");
	r.rip = entry;
	r.rflags = 2;
	r.rax = MB1_BOOTLOADER_MAGIC;
	r.rbx = MB1_INFO_ADDR;
	kvm_ioctl(vm->vcpu, KVM_SET_REGS, &r, "KVM_SET_REGS");
}

static void create_vcpu(struct vm *vm)
{
	int size = kvm_ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");

	vm->vcpu = kvm_ioctl(vm->vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die(STATUS_HV_FAULT, "mmap of the vCPU: %s", strerror(errno));
	set_cpuid(vm);
}

/* What names this platform in the results: the kernel and KVM's PMU settings. */
static void print_platform_meta(struct vm *vm)
{
	static const char *const params[] = {
		"/sys/module/kvm/parameters/enable_pmu",
		"/sys/module/kvm/parameters/enable_mediated_pmu",
		"/sys/module/kvm_intel/parameters/enable_mediated_pmu",
		"/sys/module/kvm_intel/parameters/enable_apicv",
		"/sys/module/kvm_intel/parameters/vmentry_l1d_flush",
	};
	struct utsname u;

	printf("meta,hypervisor,kvm\n");
	if (vm->name)
		printf("meta,platform,%s\n", vm->name);
	if (uname(&u) == 0)
		printf("meta,kvm_kernel,%s\n", u.release);
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		char v[64] = "";
		FILE *f = fopen(params[i], "r");
		if (!f)
			continue;
		if (fgets(v, sizeof(v), f))
			v[strcspn(v, "\n")] = '\0';
		fclose(f);
		/* meta,MODULE_PARAMETER,VALUE: /sys/module/MODULE/parameters/PARAMETER */
		char module[32] = "";
		sscanf(params[i], "/sys/module/%31[^/]", module);
		printf("meta,%s_%s,%s\n", module, strrchr(params[i], '/') + 1, v);
	}
}

static void guest_putc(struct vm *vm, char c)
{
	if (c == '\r')
		return;
	if (c != '\n') {
		if (vm->line_len < sizeof(vm->line) - 1)
			vm->line[vm->line_len++] = c;
		return;
	}
	vm->line[vm->line_len] = '\0';
	printf("%s\n", vm->line);
	if (!strcmp(vm->line, RESULTS_BEGIN))
		print_platform_meta(vm);
	vm->line_len = 0;
}

static void flush_line(struct vm *vm)
{
	if (vm->line_len)
		guest_putc(vm, '\n');
	fflush(stdout);
}

/* Returns -1 to go on, else the guest's exit status. */
static int handle_io(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t value = 0;

	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		if (run->io.direction == KVM_EXIT_IO_IN) {
			uint32_t in = run->io.port == UART_LSR	  ? UART_LSR_IDLE
				      : run->io.port == TEST_PORT ? PING_MAGIC
								  : 0xffffffffu;
			memcpy(data, &in, run->io.size);
			continue;
		}
		memcpy(&value, data, run->io.size);
		if (run->io.port == COM1)
			guest_putc(vm, (char)value);
		else if (run->io.port == EXIT_PORT && run->io.size == 4)
			return (int)value;
		else if (run->io.port == BOCHS_SHUTDOWN_PORT)
			return 0;
	}
	return -1;
}

static int run_guest(struct vm *vm)
{
	for (;;) {
		int status;

		if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die(STATUS_HV_FAULT, "KVM_RUN: %s", strerror(errno));
		}
		switch (vm->run->exit_reason) {
		case KVM_EXIT_IO:
			status = handle_io(vm);
			if (status >= 0)
				return status;
			break;
		case KVM_EXIT_X86_RDMSR:
			vm->run->msr.error = vm->run->msr.index != BENCH_MSR;
			vm->run->msr.data = PING_MAGIC;
			break;
		case KVM_EXIT_X86_WRMSR:
			vm->run->msr.error = vm->run->msr.index != BENCH_MSR;
			break;
		case KVM_EXIT_MMIO:
			if (!vm->run->mmio.is_write)
				memset(vm->run->mmio.data, 0xff, sizeof(vm->run->mmio.data));
			break;
		case KVM_EXIT_HLT:
			return 0;
		case KVM_EXIT_SHUTDOWN:
			flush_line(vm);
			fprintf(stderr, "kvm-peer: the guest shut down (triple fault)\n");
			return STATUS_GUEST_CRASHED;
		case KVM_EXIT_FAIL_ENTRY:
			flush_line(vm);
			fprintf(stderr, "kvm-peer: VM entry failed, reason 0x%llx\n",
				(unsigned long long)
					vm->run->fail_entry.hardware_entry_failure_reason);
			return STATUS_GUEST_CRASHED;
		case KVM_EXIT_INTERNAL_ERROR:
			flush_line(vm);
			fprintf(stderr, "kvm-peer: KVM internal error, suberror %u\n",
				vm->run->internal.suberror);
			return STATUS_GUEST_CRASHED;
		default:
			flush_line(vm);
			fprintf(stderr, "kvm-peer: unexpected exit reason %u\n",
				vm->run->exit_reason);
			return STATUS_GUEST_CRASHED;
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: kvm-peer [--name NAME] [--mem MIB] GUEST.elf [GUEST ARGS...]\n");
	exit(3);
}

int main(int argc, char **argv)
{
	struct vm vm = { 0 };
	uint64_t mib = 64;
	char cmdline[MB1_CMDLINE_MAX] = "";
	int i = 1, status;

	for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--name"))
			vm.name = argv[i + 1];
		else if (!strcmp(argv[i], "--mem"))
			mib = strtoull(argv[i + 1], NULL, 0);
		else
			usage();
	}
	if (i >= argc || mib < 2 || mib > 3072)
		usage();
	/*
	 * The guest's command line starts with its name, as the module2 strings
	 * of pmuvisor's boots do: the file's name without its directory and .elf.
	 */
	for (int j = i; j < argc; j++) {
		const char *w = argv[j];
		size_t n;

		if (j == i && strrchr(w, '/'))
			w = strrchr(w, '/') + 1;
		n = strlen(w);
		if (j == i && n > 4 && !strcmp(w + n - 4, ".elf"))
			n -= 4;
		if (strlen(cmdline) + n + 2 > sizeof(cmdline))
			die(3, "guest command line too long");
		if (j > i)
			strcat(cmdline, " ");
		strncat(cmdline, w, n);
	}
	create_vm(&vm, mib);
	enable_user_space_msrs(&vm);
	create_vcpu(&vm);
	set_entry_state(&vm, load_elf32(&vm, argv[i]));
	write_multiboot_info(&vm, cmdline);
	status = run_guest(&vm);
	flush_line(&vm);
	printf("kvm-peer: exit status %d\n", status);
	return status;
}
