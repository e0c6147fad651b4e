/*
 * The CPUID table. A leaf the test did not fill reads as all zeroes, which
 * code under test must treat as "feature absent".
 */
#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/msr.h"

struct cpuid_entry {
	u32 leaf, subleaf; /* subleaf MODEL_ANY_SUBLEAF: ECX ignored */
	struct cpuid_regs regs;
};

static struct cpuid_entry table[MODEL_MAX_CPUID];
static int nr_entries;

static void (*on_execute)(void *arg);
static void *on_execute_arg;
static bool has_microcode;
static u32 microcode;

void model_cpuid_reset(void)
{
	nr_entries = 0;
	on_execute = NULL;
	has_microcode = false;
}

void model_cpuid_set_microcode(u32 revision)
{
	has_microcode = true;
	microcode = revision;
	model_msr_set(MSR_IA32_UCODE_REV, 0);
}

void model_cpuid_on_execute(void (*fn)(void *arg), void *arg)
{
	on_execute = fn;
	on_execute_arg = arg;
}

void model_cpuid_set(u32 leaf, u32 subleaf, struct cpuid_regs regs)
{
	int i;

	for (i = 0; i < nr_entries; i++)
		if (table[i].leaf == leaf && table[i].subleaf == subleaf)
			break;
	if (i == nr_entries) {
		if (nr_entries == MODEL_MAX_CPUID)
			unit_abort(__FILE__, __LINE__, "model: more than %d CPUID entries",
				   MODEL_MAX_CPUID);
		nr_entries++;
	}
	table[i] = (struct cpuid_entry){ leaf, subleaf, regs };
}

struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	if (on_execute)
		on_execute(on_execute_arg);
	if (leaf == 1 && has_microcode && model_msr_present(MSR_IA32_UCODE_REV))
		model_msr_set(MSR_IA32_UCODE_REV, (u64)microcode << 32);
	for (int i = 0; i < nr_entries; i++)
		if (table[i].leaf == leaf &&
		    (table[i].subleaf == subleaf || table[i].subleaf == MODEL_ANY_SUBLEAF))
			return table[i].regs;
	return (struct cpuid_regs){ 0 };
}
