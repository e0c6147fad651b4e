#include "arch/x86/vmx_msr_list.h"

bool vmx_msr_list_add(struct vmx_msr_list *list, u32 index, u64 value)
{
	if (list->count == VMX_MSR_LIST_MAX)
		return false;
	list->entries[list->count++] = (struct vmx_msr_entry){ index, 0, value };
	return true;
}

struct vmx_msr_entry *vmx_msr_list_find(struct vmx_msr_list *list, u32 index)
{
	for (u32 i = 0; i < list->count; i++)
		if (list->entries[i].index == index)
			return &list->entries[i];
	return NULL;
}
