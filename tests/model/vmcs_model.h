/* The VMCS model (vmcs.c): a field store behind vmread_safe/vmwrite_safe. */
#ifndef TESTS_MODEL_VMCS_MODEL_H
#define TESTS_MODEL_VMCS_MODEL_H

#include "arch/x86/vmx.h"

void model_vmcs_reset(void);

#endif
