#ifndef HV_RUN_GUEST_SETUP_H
#define HV_RUN_GUEST_SETUP_H

#include "arch/x86/frame.h"
#include "hv/boot/multiboot2.h"

/* Load the guest from the first module and create its vCPU; ends the run on bad input. */
void guest_setup(const struct boot_info *boot, struct phys_range image_range,
		 struct phys_range pool);

#endif
