/*
 * Extended page tables: guest-physical to host-physical translation.
 * Intel SDM Vol. 3C, "The Extended Page Table Mechanism (EPT)".
 */
#ifndef ARCH_X86_EPT_H
#define ARCH_X86_EPT_H

#include "lib/types.h"

#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXEC BIT(2)
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT 3 /* bits 5:3 of a leaf entry */
#define EPT_LARGE_PAGE BIT(7)

#define EPT_MT_UC 0
#define EPT_MT_WB 6

/* EPTP: memory type (2:0), page-walk length minus one (5:3). */
#define EPTP_WB 6
#define EPTP_WALK_4 (3 << 3)

/* EPT-violation exit qualification. SDM Vol. 3C, "Exit Qualification for EPT Violations". */
#define EPT_VIOL_READ BIT(0)
#define EPT_VIOL_WRITE BIT(1)
#define EPT_VIOL_FETCH BIT(2)
#define EPT_VIOL_GLA_VALID BIT(7)
#define EPT_VIOL_NMI_UNBLOCK BIT(12) /* the faulting IRET had unblocked (virtual) NMIs */

struct ept {
	u64 pml4_phys;
};

/* Allocate an empty EPT hierarchy; false when out of frames. */
bool ept_init(struct ept *ept);
/*
 * Identity-map [start, end) (4 KiB aligned) with the given memory type and
 * full access, using 2 MiB pages where a whole aligned 2 MiB lies inside.
 * Ranges mapped by separate calls must not overlap. False when out of frames.
 */
bool ept_map_identity(struct ept *ept, u64 start, u64 end, u8 memtype);
u64 ept_pointer(const struct ept *ept);
/* The leaf entry for a guest-physical address, or 0 if not mapped. */
u64 ept_lookup(const struct ept *ept, u64 gpa);

#endif
