/*
 * VMX MSR lists: the VM-entry MSR-load list, the VM-exit MSR-store list
 * and the VM-exit MSR-load list. Each entry is 16 bytes (MSR index, 32
 * reserved bits, value); a list's address is 16-byte aligned and its
 * length at most 512 * (IA32_VMX_MISC[27:25] + 1). Intel SDM Vol. 3C,
 * "VM-Exit Controls for MSRs" and "VM-Entry Controls for MSRs".
 */
#ifndef ARCH_X86_VMX_MSR_LIST_H
#define ARCH_X86_VMX_MSR_LIST_H

#include "lib/types.h"

struct vmx_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
} __attribute__((aligned(16)));

_Static_assert(sizeof(struct vmx_msr_entry) == 16, "SDM: 16-byte MSR list entries");

#define VMX_MSR_LIST_MAX 8 /* what pmuvisor ever puts in one list */

struct vmx_msr_list {
	struct vmx_msr_entry *entries; /* in a page of hypervisor memory */
	u32 count;
};

/* Append (index, value); false if the list is full: the caller must not go on without it. */
__attribute__((warn_unused_result)) bool vmx_msr_list_add(struct vmx_msr_list *list, u32 index,
							  u64 value);

#endif
