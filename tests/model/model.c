/* The whole model machine: back to power-on state before every test. */
#include "tests/model/model.h"
#include "tests/model/vmcs_model.h"

void model_reset(void)
{
	model_msr_reset();
	model_cpuid_reset();
	model_mem_reset();
	model_io_reset();
	model_platform_reset();
	model_tsc_reset();
	model_pmu_reset();
	model_cpu_reset();
	model_vmcs_reset();
}
