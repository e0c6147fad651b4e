/* The VMCS model (vmcs.c): a field store behind vmread_safe/vmwrite_safe. */
#ifndef TESTS_MODEL_VMCS_MODEL_H
#define TESTS_MODEL_VMCS_MODEL_H

#include "arch/x86/vmx.h"

void model_vmcs_reset(void);
/*
 * Call fn(arg) once, just before the code under test's access number nth
 * (0: the next one) to the VMCS, VMREAD or VMWRITE: an asynchronous event,
 * such as an NMI, striking between two VMX instructions. Accesses fn makes
 * itself are not counted.
 */
void model_vmcs_before_access(unsigned nth, void (*fn)(void *arg), void *arg);

#endif
