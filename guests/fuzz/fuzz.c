/*
 * fuzz: a random-behaviour guest. It executes a reproducible sequence of
 * random VMX-sensitive operations (MSRs, port and string I/O, control
 * registers, CPUID, RDPMC, XSETBV, VMX instructions, task switches, HLT,
 * self-NMIs, single-stepping, memory above 4 GiB), survives every exception
 * they raise with its own IDT, checks each outcome for plausibility and
 * folds the outcomes into a hash, so that a run under the hypervisor can be
 * compared with the same seed booted natively.
 *
 * Command line: seed=N ops=N [kinds=K1,K2,...] [verbose]
 * Output: with verbose, one line per operation, "fz: N KIND DESC -> RESULT"
 * ("fz-hv:" for kinds whose outcome legitimately differs under a hypervisor,
 * left out of the hash); then a summary per kind, "fuzz: N ops, hash H" and
 * "fuzz: M implausible". Exit status 0, or 1 if any outcome was implausible.
 */
#include "fuzz.h"
#include "ops.h"
#include "lib/printf.h"
#include "lib/string.h"

const char guest_name[] = "fuzz";

/* ---- descriptors ---- */

struct idt_gate {
	u16 offset_low, selector;
	u8 zero, type;
	u16 offset_high;
} __attribute__((packed));

struct fz_frame {
	u32 edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
};

#define NR_VECTORS 256
#define GATE_INTERRUPT32 0x8e	   /* present, DPL 0 */
#define GATE_INTERRUPT32_USER 0xee /* present, DPL 3: INT 0x80 from CPL3 */
#define TRAP_STACK_SIZE 8192
#define TASK_STACK_SIZE 4096

static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(8)));
struct tss32 fz_tss_a __attribute__((aligned(128)));
struct tss32 fz_tss_b __attribute__((aligned(128)));
static u8 trap_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));
static u8 task_stack[TASK_STACK_SIZE] __attribute__((aligned(16)));

extern const struct {
	u32 vector, stub;
} fz_stub_table[];
extern const u32 fz_stub_count;
extern void fz_resume(void);
extern void fz_task_b_entry(void);
extern struct fz_regs *fz_regs_ptr;
int fz_exec(snippet_fn *fn, struct fz_regs *r);
int fz_exec_user(snippet_fn *fn, struct fz_regs *r);
void fz_trap(struct fz_frame *f);

/* Task B of the task-switch operation, afresh for each (its TSS holds the state it left with). */
void fz_reset_tss_b(void)
{
	fz_tss_b = tss_flat_task(fz_task_b_entry, (u32)(uintptr_t)(task_stack + TASK_STACK_SIZE));
	gdt_set_tss_b(&fz_tss_b);
}

static void descriptors_init(void)
{
	gdt_load_with_tss(&fz_tss_a, (u32)(uintptr_t)(trap_stack + TRAP_STACK_SIZE));
	fz_reset_tss_b();

	for (u32 i = 0; i < fz_stub_count; i++) {
		u32 v = fz_stub_table[i].vector, stub = fz_stub_table[i].stub;

		idt[v] = (struct idt_gate){
			.offset_low = (u16)stub,
			.selector = GUEST_CS,
			.type = v == VEC_SYSCALL ? GATE_INTERRUPT32_USER : GATE_INTERRUPT32,
			.offset_high = (u16)(stub >> 16),
		};
	}
	lidt(idt, sizeof(idt) - 1);
}

/* ---- exceptions ---- */

volatile u32 fz_error, fz_nmi_count, fz_timer_count, fz_step_count, fz_step_eip;
volatile bool fz_step_armed;
static volatile bool armed;
static volatile u32 taken_vector;

#define XAPIC_EOI 0xfee000b0u

static void frame_to_regs(const struct fz_frame *f, struct fz_regs *r)
{
	*r = (struct fz_regs){ f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp, f->eflags };
}

static u32 read_dr6(void)
{
	u32 v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

#define DR6_BS (1u << 14)

void fz_trap(struct fz_frame *f)
{
	if (f->vector == VEC_NMI) {
		fz_nmi_count++;
		return;
	}
	if (f->vector == VEC_TIMER) {
		fz_timer_count++;
		*(volatile u32 *)XAPIC_EOI = 0;
		return;
	}
	if (f->vector == VEC_SPURIOUS)
		return;
	if (f->vector == VEC_DB && fz_step_armed && (read_dr6() & DR6_BS)) {
		fz_step_count++;
		fz_step_eip = f->eip;
		f->eflags &= ~EFLAGS_TF;
		asm volatile("mov %0, %%dr6" : : "r"(0xffff0ff0u));
		return;
	}
	if (armed) {
		armed = false;
		taken_vector = f->vector;
		fz_error = f->error;
		frame_to_regs(f, fz_regs_ptr);
		f->eip = (u32)(uintptr_t)fz_resume;
		f->cs = GUEST_CS;
		f->eflags &= ~(EFLAGS_TF | EFLAGS_IF | EFLAGS_DF);
		return;
	}
	guest_printf(
		"fuzz: unexpected exception %u, error 0x%x, at EIP 0x%08x (CS 0x%x), CR2 0x%08x\n",
		f->vector, f->error, f->eip, f->cs, read_cr2());
	guest_exit(GUEST_STATUS_CRASH);
}

u32 fz_run(snippet_fn *fn, struct fz_regs *r)
{
	taken_vector = FZ_OK;
	fz_error = 0;
	armed = true;
	int faulted = fz_exec(fn, r);
	armed = false;
	return faulted ? taken_vector : FZ_OK;
}

u32 fz_run_user(snippet_fn *fn, struct fz_regs *r)
{
	taken_vector = FZ_OK;
	fz_error = 0;
	armed = true;
	fz_exec_user(fn, r);
	armed = false;
	return taken_vector == VEC_SYSCALL ? FZ_OK : taken_vector;
}

/* ---- PRNG: splitmix64 ---- */

static u64 rng_state;

u64 rnd64(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

u32 rnd32(void)
{
	return (u32)(rnd64() >> 32);
}

u32 rnd(u32 n)
{
	return n ? rnd32() % n : 0;
}

struct fz_regs random_regs(void)
{
	return (struct fz_regs){ rnd32(), rnd32(), rnd32(), rnd32(), rnd32(), rnd32(), rnd32(), 0 };
}

/* ---- the operation record ---- */

#define LINE_MAX 200

static char desc_buf[LINE_MAX], result_buf[LINE_MAX];
static size_t desc_len, result_len;
static u32 op_index, implausible_total, op_implausible;
static const struct op_kind *op_kind;

static void append(char *buf, size_t *len, const char *fmt, va_list ap)
{
	if (*len < LINE_MAX - 1)
		*len += (size_t)vformat_to_buffer(buf + *len, LINE_MAX - *len, fmt, ap);
	if (*len > LINE_MAX - 1)
		*len = LINE_MAX - 1;
}

void op_desc(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(desc_buf, &desc_len, fmt, ap);
	va_end(ap);
}

void op_result(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(result_buf, &result_len, fmt, ap);
	va_end(ap);
}

static bool vector_has_error_code(u32 v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

static const char *const vector_names[32] = {
	[0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",	[4] = "#OF",
	[5] = "#BR",  [6] = "#UD",  [7] = "#NM",  [8] = "#DF",	[10] = "#TS",
	[11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF",
	[17] = "#AC", [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
};

void op_outcome(u32 v)
{
	if (v == FZ_OK)
		op_result("ok");
	else if (v < 32 && vector_names[v] && vector_has_error_code(v))
		op_result("%s(0x%x)", vector_names[v], fz_error);
	else if (v < 32 && vector_names[v])
		op_result("%s", vector_names[v]);
	else
		op_result("vector %u", v);
}

void implausible(const char *fmt, ...)
{
	va_list ap;

	guest_printf("fuzz: implausible: op %u %s %s: ", op_index, op_kind->name, desc_buf);
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
	guest_printf("\n");
	op_implausible++;
}

void check_untouched(const struct fz_regs *before, const struct fz_regs *after, u32 may_change)
{
	static const char *const names[] = { "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp" };
	const u32 *b = &before->eax, *a = &after->eax;

	for (u32 i = 0; i < ARRAY_SIZE(names); i++)
		if (!(may_change & (1u << i)) && a[i] != b[i])
			implausible("%s changed from 0x%x to 0x%x", names[i], b[i], a[i]);
}

bool under_hypervisor(void)
{
	return cpuid(1, 0).ecx & (1u << 31);
}

/* ---- command line ---- */

struct config {
	u64 seed;
	u32 ops;
	u64 kinds; /* bit per entry of op_kinds */
	bool verbose;
};

static bool parse_number(const char *s, size_t n, u64 *out)
{
	u64 v = 0;
	u32 base = 10;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		u32 d;

		if (c >= '0' && c <= '9')
			d = (u32)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (u32)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (u32)(c - 'A' + 10);
		else
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool parse_kinds(const char *s, size_t n, u64 *out)
{
	u64 set = 0;

	while (n) {
		const char *comma = memchr(s, ',', n);
		size_t len = comma ? (size_t)(comma - s) : n;
		size_t k;

		if (len == 3 && !strncmp(s, "all", 3))
			set |= op_kinds_default;
		for (k = 0; k < op_kind_count; k++)
			if (strlen(op_kinds[k].name) == len && !strncmp(op_kinds[k].name, s, len))
				break;
		if (k < op_kind_count)
			set |= 1ULL << k;
		else if (!(len == 3 && !strncmp(s, "all", 3))) {
			guest_printf("fuzz: error: unknown kind '%.*s' (known:", (int)len, s);
			for (k = 0; k < op_kind_count; k++)
				guest_printf(" %s", op_kinds[k].name);
			guest_printf(")\n");
			return false;
		}
		s += len + (comma ? 1 : 0);
		n -= len + (comma ? 1 : 0);
	}
	*out = set;
	return set != 0;
}

static bool parse_cmdline(const char *s, struct config *c)
{
	*c = (struct config){ .seed = 1, .ops = 1000, .kinds = op_kinds_default };
	for (size_t n; (n = guest_cmdline_word(&s)); s += n) {
		const char *eq = memchr(s, '=', n);
		size_t key = eq ? (size_t)(eq - s) : n;
		const char *val = eq ? eq + 1 : NULL;
		size_t vlen = eq ? n - key - 1 : 0;
		u64 v;

		if (s[0] == '/') {
			/* GRUB passes the image path first when it boots the guest natively. */
		} else if (!eq && n == 7 && !strncmp(s, "verbose", 7)) {
			c->verbose = true;
		} else if (eq && key == 4 && !strncmp(s, "seed", 4) &&
			   parse_number(val, vlen, &v)) {
			c->seed = v;
		} else if (eq && key == 3 && !strncmp(s, "ops", 3) && parse_number(val, vlen, &v) &&
			   v <= 0xffffffffu) {
			c->ops = (u32)v;
		} else if (eq && key == 5 && !strncmp(s, "kinds", 5)) {
			if (!parse_kinds(val, vlen, &c->kinds))
				return false;
		} else {
			guest_printf("fuzz: error: bad argument '%.*s' (want seed=N ops=N "
				     "kinds=K,... verbose)\n",
				     (int)n, s);
			return false;
		}
	}
	return true;
}

/* ---- the run ---- */

struct kind_stats {
	u32 ops, ok, faulted, implausible;
};

static u64 fnv1a(u64 h, const char *s)
{
	for (; *s; s++) {
		h ^= (u8)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int guest_main(const char *cmdline)
{
	struct config cfg;
	struct kind_stats stats[64] = { 0 };
	u32 enabled[64], n_enabled = 0;
	u64 hash = 0xcbf29ce484222325ULL;

	if (!parse_cmdline(cmdline, &cfg))
		return GUEST_STATUS_FAIL;
	for (u32 k = 0; k < op_kind_count; k++)
		if (cfg.kinds & (1ULL << k))
			enabled[n_enabled++] = k;
	descriptors_init();
	ops_init();
	rng_state = cfg.seed;
	guest_printf("fuzz: seed %llu, %u ops, kinds", (unsigned long long)cfg.seed, cfg.ops);
	for (u32 i = 0; i < n_enabled; i++)
		guest_printf("%c%s", i ? ',' : ' ', op_kinds[enabled[i]].name);
	guest_printf("%s\n", under_hypervisor() ? " (CPUID reports a hypervisor)" : "");

	for (op_index = 0; op_index < cfg.ops; op_index++) {
		u32 k = enabled[rnd(n_enabled)];
		char line[2 * LINE_MAX + 40];

		op_kind = &op_kinds[k];
		desc_len = result_len = 0;
		desc_buf[0] = result_buf[0] = '\0';
		op_implausible = 0;
		bool faulted = op_kind->run();
		snprintf_hv(line, sizeof(line), "%s %u %s %s -> %s",
			    op_kind->hv_specific ? "fz-hv:" : "fz:", op_index, op_kind->name,
			    desc_buf, result_buf);
		if (!op_kind->hv_specific)
			hash = fnv1a(hash, line);
		if (cfg.verbose)
			guest_printf("%s\n", line);
		stats[k].ops++;
		if (faulted)
			stats[k].faulted++;
		else
			stats[k].ok++;
		stats[k].implausible += op_implausible;
		implausible_total += op_implausible;
	}

	guest_printf("fuzz: kind        ops     ok  faulted  implausible\n");
	for (u32 i = 0; i < n_enabled; i++) {
		const struct kind_stats *s = &stats[enabled[i]];

		guest_printf("fuzz: %-9s %5u  %5u  %7u  %11u%s\n", op_kinds[enabled[i]].name,
			     s->ops, s->ok, s->faulted, s->implausible,
			     op_kinds[enabled[i]].hv_specific ? "  (hv-specific)" : "");
	}
	guest_printf("fuzz: %u ops, hash %016llx\n", cfg.ops, (unsigned long long)hash);
	guest_printf("fuzz: %u implausible\n", implausible_total);
	return implausible_total ? GUEST_STATUS_FAIL : GUEST_STATUS_PASS;
}
