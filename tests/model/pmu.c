/*
 * A PMU that counts (see model.h): architectural PerfMon v2 to v5, by
 * default v4 with 4 GP and 3 fixed counters of 48 bits. Intel SDM Vol. 3B,
 * "Architectural Performance Monitoring" (versions 2 to 5) and
 * "Full-Width Writes to Performance Counter Registers"; Vol. 2A, CPUID
 * leaf 0AH; Vol. 4 for the MSR layouts.
 */
#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/msr.h"
#include "arch/x86/pmu.h"
#include "tests/model/vmcs_model.h"
#include "arch/x86/vmx_msr_list.h"

#define COUNTER_MASK (BIT(MODEL_PMU_WIDTH) - 1)
#define GLOBAL_COUNTER_BITS ((BIT(hw.nr_gp) - 1) | (u64)hw.fixed_regs << GLOBAL_FIXED_SHIFT)
#define EVTSEL_RESERVED 0xffffffff00000000ULL /* bits 31:0 are all defined in v4 */
#define FIXED_CTRL_FIELD(j) (0xfULL << (FIXED_CTRL_BITS * (j)))
/* FIXED_CTR_CTRL fields exist for the fixed counters the CPU has. */
#define FIXED_CTR_CTRL_VALID fixed_ctrl_valid()

static struct {
	bool installed, full_width, status_set, bochs_rdpmc;
	u64 status_reset_other, status_set_other;
	unsigned version, nr_gp, nr_fixed; /* nr_fixed: one above the highest fixed counter */
	u32 fixed_mask;			   /* the fixed counters CPUID reports */
	u32 fixed_regs;			   /* those the model has registers for */
	unsigned cpuid_a_gp, cpuid_a_fixed;
	bool ext_leaf, hybrid_pcore;
	enum model_context context;
	u64 pmc[PMU_MAX_GP], evtsel[PMU_MAX_GP], fixed[PMU_MAX_FIXED];
	u64 fixed_ctr_ctrl, global_ctrl, global_status;
	u64 tally_gp[2][PMU_MAX_GP], tally_fixed[2][PMU_MAX_FIXED];
	const char *fault;
} hw;

static bool fixed_exists(unsigned j)
{
	return j < PMU_MAX_FIXED && (hw.fixed_regs & BIT(j));
}

static u64 fixed_ctrl_valid(void)
{
	u64 valid = 0;

	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (fixed_exists(j))
			valid |= FIXED_CTRL_FIELD(j);
	return valid;
}

static struct model_pmu_access log_entries[MODEL_PMU_LOG_MAX];
/* model_vmx_ignore_global_ctrl_controls() */
static bool ignore_entry_global_ctrl, ignore_exit_global_ctrl;
static unsigned log_count;

void model_pmu_reset(void)
{
	ignore_entry_global_ctrl = ignore_exit_global_ctrl = false;
	hw = (typeof(hw)){ .installed = false };
	log_count = 0;
}

void model_pmu_install_config(const struct model_pmu_config *c)
{
	if (c->version < 2 || c->version > 5 || c->nr_gp > PMU_MAX_GP ||
	    c->nr_fixed > PMU_MAX_FIXED || (c->fixed_mask && c->version < 5))
		unit_abort(__FILE__, __LINE__,
			   "model: PerfMon v%u with %u GP and %u fixed counters is not modelled",
			   c->version, c->nr_gp, c->nr_fixed);
	model_pmu_reset();
	hw.installed = true;
	hw.version = c->version;
	hw.nr_gp = c->nr_gp;
	hw.fixed_mask = c->fixed_mask ? c->fixed_mask : (u32)(BIT(c->nr_fixed) - 1);
	hw.fixed_regs = hw.fixed_mask & (u32)(BIT(PMU_MAX_FIXED) - 1);
	hw.nr_fixed = 0;
	for (unsigned j = 0; j < PMU_MAX_FIXED; j++)
		if (fixed_exists(j))
			hw.nr_fixed = j + 1;
	hw.cpuid_a_gp = c->cpuid_a_gp ? c->cpuid_a_gp : c->nr_gp;
	hw.cpuid_a_fixed = c->cpuid_a_fixed;
	hw.ext_leaf = c->ext_leaf;
	hw.hybrid_pcore = c->hybrid_pcore;
	hw.full_width = c->full_width_writes;
	hw.bochs_rdpmc = c->bochs_rdpmc;
	hw.status_set = c->version >= 4;
	hw.status_reset_other = c->status_reset_other;
	hw.status_set_other = hw.status_set ? c->status_set_other : 0;
	hw.context = MODEL_HOST;
}

void model_pmu_install(bool full_width_writes, bool has_status_set)
{
	struct model_pmu_config c = {
		.version = has_status_set ? 4 : 3,
		.nr_gp = MODEL_PMU_GP,
		.nr_fixed = MODEL_PMU_FIXED,
		.full_width_writes = full_width_writes,
	};

	model_pmu_install_config(&c);
}

/* The number of counters in mask from 0 up to the first gap. */
static unsigned from_zero(u32 mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & BIT(n)))
		n++;
	return n;
}

/*
 * Leaf 23H (Intel SDM Vol. 2A): subleaf 0 the valid subleaves (0, 1
 * counters, 2 auto counter reload, 3 events) and PERFEVTSEL features
 * (UMask2, EQ, and bit 2, which no guest gets); subleaf 1 the counters as
 * bitmaps; subleaf 2 the counters that reload and cause reloads.
 */
static void set_ext_leaf_cpuid(void)
{
	u32 gp = (u32)(BIT(hw.nr_gp) - 1);

	model_cpuid_set(7, 1, (struct cpuid_regs){ CPUID_7_1_EAX_ARCH_PERFMON_EXT, 0, 0, 0 });
	model_cpuid_set(CPUID_LEAF_PMU_EXT, 0, (struct cpuid_regs){ 0xf, 0x7, 0, 0 });
	model_cpuid_set(CPUID_LEAF_PMU_EXT, 1, (struct cpuid_regs){ gp, hw.fixed_mask, 0, 0 });
	model_cpuid_set(CPUID_LEAF_PMU_EXT, 2,
			(struct cpuid_regs){ gp, hw.fixed_mask, gp, hw.fixed_mask });
	model_cpuid_set(CPUID_LEAF_PMU_EXT, 3, (struct cpuid_regs){ 0x7f, 0, 0, 0 });
}

/*
 * CPUID.0AH for this PMU: EAX version, GP counters, width, EBX length;
 * EDX fixed counters from 0 and width (v2+); ECX the fixed-counter bitmap
 * (v5+). A hybrid part's CPUID.0AH reports what every core type has
 * (cpuid_a_gp, cpuid_a_fixed).
 */
void model_pmu_set_cpuid(void)
{
	struct cpuid_regs r = { 0 };
	u32 fixed;

	if (!hw.installed)
		unit_abort(__FILE__, __LINE__, "model: PMU CPUID before model_pmu_install()");
	fixed = hw.cpuid_a_fixed ? hw.fixed_mask & (u32)(BIT(hw.cpuid_a_fixed) - 1) : hw.fixed_mask;
	r.eax = hw.version | hw.cpuid_a_gp << 8 | MODEL_PMU_WIDTH << 16 | MODEL_PMU_EBX_LEN << 24;
	r.edx = from_zero(fixed) | MODEL_PMU_WIDTH << 5;
	r.ecx = hw.version >= 5 ? fixed : 0;
	model_cpuid_set(CPUID_LEAF_PMU, MODEL_ANY_SUBLEAF, r);
	if (hw.ext_leaf)
		set_ext_leaf_cpuid();
	if (hw.hybrid_pcore)
		model_cpuid_set(CPUID_LEAF_NATIVE_MODEL, MODEL_ANY_SUBLEAF,
				(struct cpuid_regs){ CPUID_CORE_TYPE_CORE << 24 | 1, 0, 0, 0 });
}

void model_pmu_raise_status(u64 bits)
{
	hw.global_status |= bits;
}

bool model_pmu_installed(void)
{
	return hw.installed;
}

bool model_pmu_claims(u32 msr)
{
	if (!hw.installed)
		return false;
	return (msr >= MSR_IA32_PMC0 && msr < MSR_IA32_PMC0 + PMU_MAX_GP) ||
	       (msr >= MSR_IA32_PMC0_FW && msr < MSR_IA32_PMC0_FW + PMU_MAX_GP) ||
	       (msr >= MSR_P6_EVNTSEL0 && msr < MSR_P6_EVNTSEL0 + PMU_MAX_GP) ||
	       (msr >= MSR_CORE_PERF_FIXED_CTR0 &&
		msr < MSR_CORE_PERF_FIXED_CTR0 + PMU_MAX_FIXED) ||
	       (msr >= MSR_CORE_PERF_FIXED_CTR_CTRL && msr <= MSR_CORE_PERF_GLOBAL_STATUS_SET);
}

const char *model_pmu_fault(void)
{
	return hw.fault ? hw.fault : "(no fault)";
}

static bool gp(const char *why)
{
	hw.fault = why;
	return false;
}

/* The register behind msr, or NULL (with hw.fault) if this CPU lacks it. */
static u64 *reg(u32 msr)
{
	if (msr >= MSR_IA32_PMC0 && msr < MSR_IA32_PMC0 + hw.nr_gp)
		return &hw.pmc[msr - MSR_IA32_PMC0];
	if (msr >= MSR_IA32_PMC0_FW && msr < MSR_IA32_PMC0_FW + hw.nr_gp)
		return hw.full_width ? &hw.pmc[msr - MSR_IA32_PMC0_FW] : NULL;
	if (msr >= MSR_P6_EVNTSEL0 && msr < MSR_P6_EVNTSEL0 + hw.nr_gp)
		return &hw.evtsel[msr - MSR_P6_EVNTSEL0];
	if (msr >= MSR_CORE_PERF_FIXED_CTR0 && msr < MSR_CORE_PERF_FIXED_CTR0 + PMU_MAX_FIXED)
		return fixed_exists(msr - MSR_CORE_PERF_FIXED_CTR0)
			       ? &hw.fixed[msr - MSR_CORE_PERF_FIXED_CTR0]
			       : NULL;
	switch (msr) {
	case MSR_CORE_PERF_FIXED_CTR_CTRL:
		return &hw.fixed_ctr_ctrl;
	case MSR_CORE_PERF_GLOBAL_STATUS:
		return &hw.global_status;
	case MSR_CORE_PERF_GLOBAL_CTRL:
		return &hw.global_ctrl;
	}
	return NULL;
}

static bool do_rdmsr(u32 msr, u64 *value)
{
	u64 *r;

	*value = 0;
	/* Write-only: STATUS_RESET and STATUS_SET read as 0 on hardware (v4). */
	if (msr == MSR_CORE_PERF_GLOBAL_OVF_CTRL ||
	    (msr == MSR_CORE_PERF_GLOBAL_STATUS_SET && hw.status_set))
		return true;
	r = reg(msr);
	if (!r)
		return gp("(no such PMU register on this CPU)");
	*value = *r;
	return true;
}

static bool do_wrmsr(u32 msr, u64 value)
{
	u64 *r;

	if (msr == MSR_CORE_PERF_GLOBAL_STATUS)
		return gp("(GLOBAL_STATUS is read-only)");
	if (msr == MSR_CORE_PERF_GLOBAL_OVF_CTRL || msr == MSR_CORE_PERF_GLOBAL_STATUS_SET) {
		if (msr == MSR_CORE_PERF_GLOBAL_STATUS_SET && !hw.status_set)
			return gp("(no GLOBAL_STATUS_SET before PerfMon v4)");
		bool reset = msr == MSR_CORE_PERF_GLOBAL_OVF_CTRL;
		if (value &
		    ~(GLOBAL_COUNTER_BITS | (reset ? hw.status_reset_other : hw.status_set_other)))
			return gp(reset ? "(reserved GLOBAL_OVF_CTRL bits)"
					: "(reserved GLOBAL_STATUS_SET bits)");
		if (reset)
			hw.global_status &= ~value;
		else
			hw.global_status |= value;
		return true;
	}
	r = reg(msr);
	if (!r)
		return gp("(no such PMU register on this CPU)");
	if (msr >= MSR_IA32_PMC0 && msr < MSR_IA32_PMC0 + hw.nr_gp) {
		/* Legacy write: EAX sign-extended to the counter's width, EDX ignored. */
		*r = (u64)(s64)(s32)(u32)value & COUNTER_MASK;
		return true;
	}
	if ((msr >= MSR_IA32_PMC0_FW && msr < MSR_IA32_PMC0_FW + hw.nr_gp) ||
	    (msr >= MSR_CORE_PERF_FIXED_CTR0 && msr < MSR_CORE_PERF_FIXED_CTR0 + PMU_MAX_FIXED)) {
		if (value & ~COUNTER_MASK)
			return gp("(counter bits above 47 are reserved)");
	} else if (msr >= MSR_P6_EVNTSEL0 && msr < MSR_P6_EVNTSEL0 + hw.nr_gp) {
		if (value & EVTSEL_RESERVED)
			return gp("(reserved PERFEVTSEL bits)");
	} else if (msr == MSR_CORE_PERF_FIXED_CTR_CTRL) {
		if (value & ~FIXED_CTR_CTRL_VALID)
			return gp("(reserved FIXED_CTR_CTRL bits)");
	} else if (msr == MSR_CORE_PERF_GLOBAL_CTRL) {
		if (value & ~GLOBAL_COUNTER_BITS)
			return gp("(reserved GLOBAL_CTRL bits)");
	}
	*r = value;
	return true;
}

static void log_access(enum model_pmu_op op, u32 index, u64 value, bool ok)
{
	if (log_count == MODEL_PMU_LOG_MAX)
		unit_abort(__FILE__, __LINE__,
			   "model: PMU access log full (%d entries): clear it with "
			   "model_pmu_log_clear()",
			   MODEL_PMU_LOG_MAX);
	log_entries[log_count++] = (struct model_pmu_access){ op, index, value, !ok };
}

bool model_pmu_rdmsr(u32 msr, u64 *value)
{
	bool ok = do_rdmsr(msr, value);

	log_access(MODEL_RDMSR, msr, *value, ok);
	return ok;
}

bool model_pmu_wrmsr(u32 msr, u64 value)
{
	bool ok = do_wrmsr(msr, value);

	log_access(MODEL_WRMSR, msr, value, ok);
	return ok;
}

u64 model_pmu_read(u32 msr)
{
	u64 v;

	if (!hw.installed)
		unit_abort(__FILE__, __LINE__, "model: PMU read before model_pmu_install()");
	if (!do_rdmsr(msr, &v))
		unit_abort(__FILE__, __LINE__, "model: #GP: test/guest RDMSR 0x%x %s", msr,
			   hw.fault);
	return v;
}

void model_pmu_write(u32 msr, u64 value)
{
	if (!hw.installed)
		unit_abort(__FILE__, __LINE__, "model: PMU write before model_pmu_install()");
	if (!do_wrmsr(msr, value))
		unit_abort(__FILE__, __LINE__, "model: #GP: test/guest WRMSR 0x%x <- 0x%llx %s",
			   msr, (unsigned long long)value, hw.fault);
}

/* RDPMC: ECX = i reads GP counter i, ECX = (1 << 30) | j fixed counter j. */
static bool do_rdpmc(u32 ecx, u64 *value)
{
	*value = 0;
	if (!hw.installed)
		return gp("(no PMU)");
	if (ecx & RDPMC_FIXED) {
		u32 j = ecx & ~(u32)RDPMC_FIXED;
		if (!fixed_exists(j) || hw.bochs_rdpmc)
			return gp(hw.bochs_rdpmc ? "(Bochs: RDPMC of a fixed counter)"
						 : "(no such fixed counter)");
		*value = hw.fixed[j];
		return true;
	}
	if (ecx >= hw.nr_gp)
		return gp("(no such GP counter)");
	*value = hw.bochs_rdpmc ? 0 : hw.pmc[ecx];
	return true;
}

bool rdpmc_safe(u32 ecx, u64 *value)
{
	bool ok = do_rdpmc(ecx, value);

	if (hw.installed)
		log_access(MODEL_RDPMC, ecx, *value, ok);
	return ok;
}

bool model_guest_rdpmc(u32 ecx, u64 *value)
{
	return do_rdpmc(ecx, value);
}

u64 rdpmc(u32 ecx)
{
	u64 v;

	if (!rdpmc_safe(ecx, &v))
		unit_abort(__FILE__, __LINE__, "model: #GP: RDPMC 0x%x %s", ecx, hw.fault);
	return v;
}

/* ---- counting ---- */

static void count(u64 *counter, u64 global_bit, u64 n)
{
	u64 before = *counter;

	*counter = (before + n) & COUNTER_MASK;
	if (n > COUNTER_MASK - before)
		hw.global_status |= global_bit;
}

void model_pmu_run(enum model_context ctx, u64 n)
{
	if (!hw.installed)
		unit_abort(__FILE__, __LINE__, "model: PMU events before model_pmu_install()");
	if (ctx != hw.context)
		unit_abort(__FILE__, __LINE__, "model: %s events while the CPU is in the %s",
			   ctx == MODEL_GUEST ? "guest" : "host",
			   hw.context == MODEL_GUEST ? "guest" : "host");
	for (unsigned i = 0; i < hw.nr_gp; i++) {
		u64 sel = hw.evtsel[i];
		if (!(hw.global_ctrl & global_bit_gp(i)) || !(sel & ARCH_PERFMON_EVENTSEL_ENABLE) ||
		    !(sel & ARCH_PERFMON_EVENTSEL_OS))
			continue;
		count(&hw.pmc[i], global_bit_gp(i), n);
		hw.tally_gp[ctx][i] += n;
	}
	for (unsigned j = 0; j < hw.nr_fixed; j++) {
		u64 field = hw.fixed_ctr_ctrl >> (FIXED_CTRL_BITS * j);
		if (!fixed_exists(j) || !(hw.global_ctrl & global_bit_fixed(j)) ||
		    !(field & FIXED_CTRL_OS))
			continue;
		count(&hw.fixed[j], global_bit_fixed(j), n);
		hw.tally_fixed[ctx][j] += n;
	}
}

enum model_context model_pmu_context(void)
{
	return hw.context;
}

u64 model_pmu_tally_gp(enum model_context ctx, unsigned i)
{
	return i < hw.nr_gp ? hw.tally_gp[ctx][i] : 0;
}

u64 model_pmu_tally_fixed(enum model_context ctx, unsigned j)
{
	return fixed_exists(j) ? hw.tally_fixed[ctx][j] : 0;
}

/*
 * ---- VM transitions, as the VMCS says (not logged) ----
 *
 * VM exit: save the guest's GLOBAL_CTRL into the guest field ("save
 * IA32_PERF_GLOBAL_CTRL"), store the VM-exit MSR-store list, load the host
 * field ("load IA32_PERF_GLOBAL_CTRL"), load the VM-exit MSR-load list.
 * VM entry: load the guest field, then the VM-entry MSR-load list. SDM
 * Vol. 3C, "Saving Guest State" / "Saving MSRs" / "Loading Host State" /
 * "Loading MSRs" (VM exits) and "Loading Guest State" / "Loading MSRs"
 * (VM entries).
 */

static u64 vmcs_get(enum vmcs_field f)
{
	u64 v = 0;

	return vmread_safe(f, &v) == VMX_OK ? v : 0;
}

static struct vmx_msr_entry *vmcs_list(enum vmcs_field addr, enum vmcs_field count, u32 *n)
{
	*n = (u32)vmcs_get(count);
	if (!*n)
		return NULL;
	return model_mem_ptr(vmcs_get(addr), *n * sizeof(struct vmx_msr_entry));
}

static u64 list_read(u32 msr)
{
	return model_pmu_claims(msr) ? model_pmu_read(msr) : model_msr_get(msr);
}

static void list_load(enum vmcs_field addr, enum vmcs_field count, const char *what)
{
	u32 n;
	const struct vmx_msr_entry *list = vmcs_list(addr, count, &n);

	for (u32 k = 0; k < n; k++) {
		const struct vmx_msr_entry *e = &list[k];
		if (!model_pmu_claims(e->index)) {
			model_msr_set(e->index, e->value);
			continue;
		}
		/* A load that would #GP fails the VM transition (SDM 26.4, 27.6). */
		if (!do_wrmsr(e->index, e->value))
			unit_abort(__FILE__, __LINE__, "model: %s entry %u loads 0x%x <- 0x%llx %s",
				   what, k, e->index, (unsigned long long)e->value, hw.fault);
	}
}

static void load_global_ctrl(enum vmcs_field f, const char *what)
{
	if (!do_wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, vmcs_get(f)))
		unit_abort(__FILE__, __LINE__, "model: %s loads GLOBAL_CTRL 0x%llx %s", what,
			   (unsigned long long)vmcs_get(f), hw.fault);
}

void model_vmx_ignore_global_ctrl_controls(bool at_entry, bool at_exit)
{
	ignore_entry_global_ctrl = at_entry;
	ignore_exit_global_ctrl = at_exit;
}

void model_vm_exit(void)
{
	u64 controls = vmcs_get(VM_EXIT_CONTROLS);
	struct vmx_msr_entry *store;
	u32 n;

	if (hw.context != MODEL_GUEST)
		unit_abort(__FILE__, __LINE__, "model: VM exit while not in the guest");
	if (ignore_exit_global_ctrl)
		controls &= ~(u64)(VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL |
				   VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL);
	if (controls & VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL)
		vmwrite_safe(GUEST_IA32_PERF_GLOBAL_CTRL, hw.global_ctrl);
	store = vmcs_list(VM_EXIT_MSR_STORE_ADDR, VM_EXIT_MSR_STORE_COUNT, &n);
	for (u32 k = 0; k < n; k++)
		store[k].value = list_read(store[k].index);
	if (controls & VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL)
		load_global_ctrl(HOST_IA32_PERF_GLOBAL_CTRL, "VM exit");
	list_load(VM_EXIT_MSR_LOAD_ADDR, VM_EXIT_MSR_LOAD_COUNT, "VM-exit MSR-load list");
	hw.context = MODEL_HOST;
}

void model_vm_entry(void)
{
	const struct model_msr *debugctl = model_msr_entry(MSR_IA32_DEBUGCTLMSR);

	if (hw.context != MODEL_HOST)
		unit_abort(__FILE__, __LINE__, "model: VM entry while in the guest");
	/* SDM 26.3.1.1: reserved DEBUGCTL bits in the guest state fail the VM entry. */
	if (debugctl && (vmcs_get(GUEST_IA32_DEBUGCTL) & debugctl->reserved))
		unit_abort(__FILE__, __LINE__,
			   "model: VM entry fails: GUEST_IA32_DEBUGCTL 0x%llx "
			   "has reserved bits",
			   (unsigned long long)vmcs_get(GUEST_IA32_DEBUGCTL));
	if ((vmcs_get(VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL) &&
	    !ignore_entry_global_ctrl)
		load_global_ctrl(GUEST_IA32_PERF_GLOBAL_CTRL, "VM entry");
	list_load(VM_ENTRY_MSR_LOAD_ADDR, VM_ENTRY_MSR_LOAD_COUNT, "VM-entry MSR-load list");
	hw.context = MODEL_GUEST;
}

/*
 * ---- what the guest's accesses do: the MSR bitmap and RDPMC exiting ----
 *
 * Decoded here from the VMCS as the CPU does, independently of
 * arch/x86/vmx_bitmap.c: read bitmap for MSRs 0..0x1fff at byte 0, for
 * 0xc0000000..0xc0001fff at 1024; the write bitmaps 2048 bytes further.
 * An MSR outside both ranges always exits. SDM Vol. 3C, "MSR-Bitmap
 * Address".
 */
bool model_msr_exits(u32 msr, bool write)
{
	const u8 *bitmap;
	u32 byte;

	if (!(vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_USE_MSR_BITMAPS))
		return true;
	if (msr < 0x2000)
		byte = msr / 8;
	else if (msr >= 0xc0000000u && msr < 0xc0002000u)
		byte = 1024 + (msr - 0xc0000000u) / 8;
	else
		return true;
	bitmap = model_mem_ptr(vmcs_get(MSR_BITMAP), 4096);
	return bitmap[byte + (write ? 2048 : 0)] & (1u << (msr % 8));
}

bool model_rdpmc_exits(void)
{
	return vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_RDPMC_EXITING;
}

bool model_guest_rdmsr(u32 msr, u64 *value)
{
	if (model_pmu_claims(msr))
		return do_rdmsr(msr, value);
	if (!model_msr_present(msr))
		return false;
	*value = model_msr_get(msr);
	return true;
}

bool model_guest_wrmsr(u32 msr, u64 value)
{
	if (model_pmu_claims(msr))
		return do_wrmsr(msr, value);
	if (!model_msr_present(msr))
		return false;
	model_msr_set(msr, value);
	return true;
}

/* ---- the access log ---- */

const struct model_pmu_access *model_pmu_log(unsigned *count_out)
{
	*count_out = log_count;
	return log_entries;
}

void model_pmu_log_clear(void)
{
	log_count = 0;
}
