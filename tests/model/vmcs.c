/*
 * A VMCS field store for tests of code that reads and writes the VMCS:
 * VMREAD of a field never written fails like an unsupported component.
 */
#include "tests/model/vmcs_model.h"
#include "tests/unit/unit.h"

#define MAX_FIELDS 128

static struct {
	u32 field;
	u64 value;
} fields[MAX_FIELDS];
static int nr_fields;
static struct {
	unsigned countdown;
	void (*fn)(void *arg);
	void *arg;
} before_access;

void model_vmcs_reset(void)
{
	nr_fields = 0;
	before_access.fn = NULL;
}

void model_vmcs_before_access(unsigned nth, void (*fn)(void *arg), void *arg)
{
	before_access.countdown = nth;
	before_access.fn = fn;
	before_access.arg = arg;
}

static void access_tick(void)
{
	void (*fn)(void *arg) = before_access.fn;

	if (!fn || before_access.countdown--)
		return;
	before_access.fn = NULL;
	fn(before_access.arg);
}

static int find(u32 field)
{
	for (int i = 0; i < nr_fields; i++)
		if (fields[i].field == field)
			return i;
	return -1;
}

int vmwrite_safe(enum vmcs_field field, u64 value)
{
	int i;

	access_tick();
	i = find(field);
	if (i < 0) {
		if (nr_fields == MAX_FIELDS)
			unit_abort(__FILE__, __LINE__, "model: VMCS store full");
		i = nr_fields++;
		fields[i].field = field;
	}
	fields[i].value = value;
	return VMX_OK;
}

int vmread_safe(enum vmcs_field field, u64 *value)
{
	int i;

	access_tick();
	i = find(field);
	if (i < 0)
		return 12; /* VMREAD from unsupported VMCS component */
	*value = fields[i].value;
	return VMX_OK;
}

int invept_safe(u64 type, u64 eptp)
{
	(void)type;
	(void)eptp;
	return VMX_OK;
}

int vmxon_safe(u64 phys)
{
	(void)phys;
	return VMX_OK;
}

int vmclear_safe(u64 phys)
{
	(void)phys;
	return VMX_OK;
}

int vmptrld_safe(u64 phys)
{
	(void)phys;
	return VMX_OK;
}

void vmxoff(void)
{
}
