/*
 * The status a run ends with: printed as "pmuvisor: exit status N" on the
 * console and passed to the platform exit. Scripts rely on these values.
 */
#ifndef HV_BASE_STATUS_H
#define HV_BASE_STATUS_H

enum hv_status {
	HV_STATUS_OK = 0,	     /* guest ended with status 0 */
	HV_STATUS_GUEST_FAILED = 1,  /* guest ended with a non-zero status */
	HV_STATUS_UNSUPPORTED = 2,   /* CPU or platform lacks a required feature */
	HV_STATUS_BAD_INPUT = 3,     /* multiboot info, command line or module */
	HV_STATUS_HV_FAULT = 4,	     /* exception or VMX failure in the hypervisor */
	HV_STATUS_GUEST_CRASHED = 5, /* triple fault, EPT violation, time limit */
};

/*
 * What a status means, for people and for the scripts (the unit-test
 * binary's --statuses writes build/statuses.tsv); NULL for a value that is
 * no status. A switch, so that -Wswitch flags a status without one.
 */
static inline const char *hv_status_meaning(enum hv_status s)
{
	switch (s) {
	case HV_STATUS_OK:
		return "the guest ended with status 0";
	case HV_STATUS_GUEST_FAILED:
		return "the guest ended with a non-zero status";
	case HV_STATUS_UNSUPPORTED:
		return "the CPU or platform lacks something required";
	case HV_STATUS_BAD_INPUT:
		return "bad input (command line, multiboot information, guest module)";
	case HV_STATUS_HV_FAULT:
		return "a fault or VMX failure in the hypervisor, or the host PMU state was not "
		       "restored";
	case HV_STATUS_GUEST_CRASHED:
		return "the guest crashed (triple fault, EPT violation, time limit)";
	}
	return NULL;
}

#endif
