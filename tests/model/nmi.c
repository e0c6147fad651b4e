/* The processor's NMI blocking in root operation: how often the code under test ended it. */
#include "tests/model/model.h"
#include "arch/x86/nmi.h"

unsigned model_nmi_unblocks;

void nmi_unblock(void)
{
	model_nmi_unblocks++;
}
