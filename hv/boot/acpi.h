/*
 * What the hypervisor reads of the firmware's ACPI tables: the ports
 * through which the guest powers the machine off or resets it. ACPI
 * Specification, "Root System Description Pointer (RSDP)", "Root System
 * Description Table (RSDT)", "Extended System Description Table (XSDT)"
 * and "Fixed ACPI Description Table (FADT)".
 */
#ifndef HV_BOOT_ACPI_H
#define HV_BOOT_ACPI_H

#include "hv/boot/multiboot2.h"

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

/*
 * What the firmware says about the machine itself: the FADT's OEM ID
 * (QEMU's and Bochs' tables say "BOCHS "), how to switch to ACPI mode
 * (SMI_CMD, ACPI_ENABLE) and the \_S5 sleep types of soft-off from the
 * DSDT ("\_Sx (System States)"), which acpi_read_power_ports() leaves out.
 */
struct acpi_machine {
	char oem_id[7];	       /* NUL-terminated; "" without a FADT */
	u16 smi_cmd;	       /* 0: the machine is always in ACPI mode */
	u8 acpi_enable;	       /* the value that switches to ACPI mode */
	bool have_s5;	       /* the DSDT defines \_S5 */
	u8 s5_typ_a, s5_typ_b; /* SLP_TYPa, SLP_TYPb for soft-off */
};

/* PM1 control register bit 0: the machine is in ACPI mode. */
#define ACPI_PM1_SCI_EN (1u << 0)
#define ACPI_SPCR_SIGNATURE "SPCR"
#define ACPI_DSDT_MAX_LEN (16u << 20) /* a server's DSDT: hundreds of KiB */

/* Fill out from the FADT and the DSDT it names; false (out zeroed) without a valid FADT. */
bool acpi_read_machine(const u8 *rsdp, u32 rsdp_len, struct acpi_machine *out);

/*
 * The \_S5 package in AML (len bytes): "Name (_S5, Package () {a, b, ...})"
 * at any scope, in the encoding of the ACPI Specification's "AML Grammar
 * Definition" (NameOp 0x08, PackageOp 0x12, PkgLength, integer constants).
 * False if there is none or it is not two small integers.
 */
bool acpi_aml_find_s5(const u8 *aml, u32 len, u8 *typ_a, u8 *typ_b);

/*
 * SPCR interface types that are 16550s ("Serial Port Console Redirection
 * Table"; revision 2 and later take the serial port subtypes of the DBG2
 * table): 0 a full 16550, 1 a 16450 (revision 1) or a 16550 subset, 0x12
 * a 16550 described entirely by the generic address structure.
 */
#define SPCR_16550 0x00
#define SPCR_16450 0x01
#define SPCR_16550_GAS 0x12

struct acpi_spcr {
	u8 revision;
	u8 interface_type;
	u8 space;	/* GAS address space: 0 memory, 1 I/O */
	u8 bit_width;	/* GAS register bit width */
	u8 access_size; /* GAS: 1 byte, 2 word, 3 dword, 4 qword, 0 undefined */
	u64 address;	/* 0: console redirection is off */
	u32 baud;	/* 0: as the firmware left it */
	u32 clock;	/* UART clock in Hz (revision 3); 0: not given */
};

/* The SPCR table, if there is a valid one. */
bool acpi_read_spcr(const u8 *rsdp, u32 rsdp_len, struct acpi_spcr *out);

/* Search the BIOS area for the RSDP; copies it into boot when the loader gave none. */
bool acpi_find_rsdp_in_bios(struct boot_info *boot);

#endif
