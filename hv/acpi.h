/*
 * What the hypervisor reads of the firmware's ACPI tables: the ports
 * through which the guest powers the machine off or resets it. ACPI
 * Specification, "Root System Description Pointer (RSDP)", "Root System
 * Description Table (RSDT)", "Extended System Description Table (XSDT)"
 * and "Fixed ACPI Description Table (FADT)".
 */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include "hv/multiboot2.h"

#define ACPI_RSDP_SIGNATURE "RSD PTR "
#define ACPI_FADT_SIGNATURE "FACP"
#define ACPI_MADT_SIGNATURE "APIC"
#define ACPI_BIOS_AREA_START 0xe0000 /* where BIOS systems keep the RSDP */
#define ACPI_BIOS_AREA_END 0x100000

/* PM1 control register: SLP_TYP 12:10, SLP_EN 13 ("PM1 Control Registers"). */
#define ACPI_PM1_SLP_TYP(v) (((v) >> 10) & 7)
#define ACPI_PM1_SLP_EN (1u << 13)

struct acpi_power {
	u16 pm1a_cnt, pm1b_cnt; /* I/O ports; 0: none */
	u16 reset_port;		/* FADT RESET_REG in I/O space; 0: none */
	u8 reset_value;
};

/*
 * Find the FADT from a copy of the RSDP (rsdp_len bytes; the tables it
 * points to are read at their physical addresses) and fill out. False
 * with one line in err when a table is missing or fails its checksum.
 */
bool acpi_read_power_ports(const u8 *rsdp, u32 rsdp_len, struct acpi_power *out, char *err,
			   size_t errlen);

/*
 * The guest has one vCPU: mark every processor but this one (own_apic_id)
 * disabled in the MADT ("Multiple APIC Description Table"), in place, so
 * that the guest does not wait for processors it cannot start. Returns
 * how many were marked, -1 if there is no valid MADT.
 */
int acpi_hide_other_processors(const u8 *rsdp, u32 rsdp_len, u32 own_apic_id);

/*
 * How many processors the MADT lists, local APIC and local x2APIC entries
 * alike and whatever their flags (a broadcast STARTUP IPI may reach a
 * processor the firmware marked disabled), and the highest APIC ID among
 * them in max_apic_id. -1 if there is no valid MADT.
 */
int acpi_count_processors(const u8 *rsdp, u32 rsdp_len, u32 *max_apic_id);

/* Search the BIOS area for the RSDP; copies it into boot when the loader gave none. */
bool acpi_find_rsdp_in_bios(struct boot_info *boot);

#endif
