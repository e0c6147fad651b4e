/*
 * The status a run ends with: printed as "pmuvisor: exit status N" on the
 * console and passed to the platform exit. Scripts rely on these values.
 */
#ifndef HV_STATUS_H
#define HV_STATUS_H

enum hv_status {
	HV_STATUS_OK = 0,	     /* guest ended with status 0 */
	HV_STATUS_GUEST_FAILED = 1,  /* guest ended with a non-zero status */
	HV_STATUS_UNSUPPORTED = 2,   /* CPU or platform lacks a required feature */
	HV_STATUS_BAD_INPUT = 3,     /* multiboot info, command line or module */
	HV_STATUS_HV_FAULT = 4,	     /* exception or VMX failure in the hypervisor */
	HV_STATUS_GUEST_CRASHED = 5, /* triple fault, EPT violation, time limit */
};

#endif
