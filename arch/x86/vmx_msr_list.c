#include "arch/x86/vmx_msr_list.h"

bool vmx_msr_list_add(struct vmx_msr_list *list, u32 index, u64 value)
{
	if (list->count == VMX_MSR_LIST_MAX)
		return false;
	list->entries[list->count++] = (struct vmx_msr_entry){ index, 0, value };
	return true;
}
