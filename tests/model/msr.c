/*
 * The MSR file: a table of the MSRs that exist. RDMSR or WRMSR of any other
 * index raises #GP on hardware; the plain accessors then abort the test
 * (the hypervisor would have died of the #GP), the _safe ones fail.
 * Once the PMU model is installed (pmu.c), the PMU's MSRs are its own.
 */
#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/msr.h"

static struct model_msr msrs[MODEL_MAX_MSRS];
static int nr_msrs;

static struct model_msr *find(u32 index)
{
	for (int i = 0; i < nr_msrs; i++)
		if (msrs[i].index == index)
			return &msrs[i];
	return NULL;
}

void model_msr_reset(void)
{
	nr_msrs = 0;
}

void model_msr_set(u32 index, u64 value)
{
	struct model_msr *m = find(index);

	if (!m) {
		if (nr_msrs == MODEL_MAX_MSRS)
			unit_abort(__FILE__, __LINE__, "model: more than %d MSRs", MODEL_MAX_MSRS);
		m = &msrs[nr_msrs++];
		*m = (struct model_msr){ .index = index };
	}
	m->value = value;
}

void model_msr_set_reserved(u32 index, u64 reserved)
{
	struct model_msr *m = find(index);

	if (!m)
		unit_abort(__FILE__, __LINE__, "model: reserved bits of absent MSR 0x%x", index);
	m->reserved = reserved;
}

void model_msr_remove(u32 index)
{
	struct model_msr *m = find(index);

	if (m)
		*m = msrs[--nr_msrs];
}

bool model_msr_present(u32 index)
{
	return find(index) != NULL;
}

u64 model_msr_get(u32 index)
{
	struct model_msr *m = find(index);

	if (!m)
		unit_abort(__FILE__, __LINE__, "model: test reads absent MSR 0x%x", index);
	return m->value;
}

const struct model_msr *model_msr_entry(u32 index)
{
	return find(index);
}

bool rdmsr_safe(u32 msr, u64 *v)
{
	struct model_msr *m = find(msr);

	if (model_pmu_claims(msr))
		return model_pmu_rdmsr(msr, v);
	/* The real fixup leaves EDX:EAX at zero when RDMSR faults. */
	*v = 0;
	if (!m)
		return false;
	m->reads++;
	*v = m->value;
	return true;
}

bool wrmsr_safe(u32 msr, u64 v)
{
	struct model_msr *m = find(msr);

	if (model_pmu_claims(msr))
		return model_pmu_wrmsr(msr, v);
	if (!m || (v & m->reserved))
		return false;
	m->writes++;
	m->value = v;
	return true;
}

u64 rdmsr(u32 msr)
{
	u64 v;

	if (rdmsr_safe(msr, &v))
		return v;
	if (model_pmu_claims(msr))
		unit_abort(__FILE__, __LINE__, "model: #GP: RDMSR 0x%x %s", msr, model_pmu_fault());
	unit_abort(__FILE__, __LINE__, "model: #GP: RDMSR of absent MSR 0x%x", msr);
}

void wrmsr(u32 msr, u64 v)
{
	if (wrmsr_safe(msr, v))
		return;
	if (model_pmu_claims(msr))
		unit_abort(__FILE__, __LINE__, "model: #GP: WRMSR 0x%x <- 0x%llx %s", msr,
			   (unsigned long long)v, model_pmu_fault());
	unit_abort(__FILE__, __LINE__, "model: #GP: WRMSR 0x%x <- 0x%llx to an absent MSR", msr,
		   (unsigned long long)v);
}
