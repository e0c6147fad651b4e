#include "hv/boot/acpi.h"
#include "arch/x86/paging.h"
#include "lib/printf.h"
#include "lib/string.h"

#define FAIL(...)                                      \
	do {                                           \
		snprintf_hv(err, errlen, __VA_ARGS__); \
		return false;                          \
	} while (0)

#define RSDP_V1_LEN 20
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define SDT_HEADER_LEN 36
#define SDT_LENGTH 4
#define SDT_CHECKSUM 9
#define SDT_MAX_LEN 0x10000 /* far beyond any RSDT, XSDT or FADT */
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_FLAGS 112
#define FADT_RESET_REG 116 /* generic address structure: space 0, address 4 */
#define FADT_RESET_VALUE 128
#define FADT_RESET_REG_SUP (1u << 10)
#define GAS_SYSTEM_IO 1
#define MADT_ENTRIES 44 /* after the header, the local APIC address and flags */
#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED_OR_CAPABLE 3 /* flags: Enabled, Online Capable */

static u8 sum_bytes(const u8 *p, u32 len)
{
	u8 sum = 0;
	for (u32 i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

static bool checksum_ok(const u8 *p, u32 len)
{
	return sum_bytes(p, len) == 0;
}

static bool rsdp_valid(const u8 *rsdp, u32 rsdp_len)
{
	return rsdp_len >= RSDP_V1_LEN && !memcmp(rsdp, ACPI_RSDP_SIGNATURE, 8) &&
	       checksum_ok(rsdp, RSDP_V1_LEN);
}

/* The table at phys if its length and checksum are sane, else NULL. */
static const u8 *map_table(u64 phys, u32 *len)
{
	const u8 *t;

	if (!phys || phys >= SIZE_4G)
		return NULL;
	t = phys_to_virt(phys);
	*len = get_u32(t, SDT_LENGTH);
	if (*len < SDT_HEADER_LEN || *len > SDT_MAX_LEN || !checksum_ok(t, *len))
		return NULL;
	return t;
}

/* The table with signature sig that the RSDP leads to (XSDT before RSDT), or NULL. */
static u8 *find_table(const u8 *rsdp, u32 rsdp_len, const char *sig, u32 *table_len)
{
	bool xsdt = rsdp[RSDP_REVISION] >= 2 && rsdp_len >= 32 && get_u64(rsdp, RSDP_XSDT);
	u32 len, entry = xsdt ? 8 : 4;
	const u8 *root =
		map_table(xsdt ? get_u64(rsdp, RSDP_XSDT) : get_u32(rsdp, RSDP_RSDT), &len);

	if (!root)
		return NULL;
	for (u32 off = SDT_HEADER_LEN; off + entry <= len; off += entry) {
		u64 phys = xsdt ? get_u64(root, off) : get_u32(root, off);
		const u8 *t = map_table(phys, table_len);
		if (t && !memcmp(t, sig, 4))
			return (u8 *)t;
	}
	return NULL;
}

bool acpi_read_power_ports(const u8 *rsdp, u32 rsdp_len, struct acpi_power *out, char *err,
			   size_t errlen)
{
	const u8 *fadt;
	u32 len;

	memset(out, 0, sizeof(*out));
	if (!rsdp_valid(rsdp, rsdp_len))
		FAIL("ACPI RSDP is invalid");
	fadt = find_table(rsdp, rsdp_len, ACPI_FADT_SIGNATURE, &len);
	if (!fadt)
		FAIL("no valid FADT (FACP) in the ACPI tables");
	if (len < FADT_PM1B_CNT_BLK + 4)
		FAIL("FADT of %u bytes is too short", len);
	out->pm1a_cnt = (u16)get_u32(fadt, FADT_PM1A_CNT_BLK);
	out->pm1b_cnt = (u16)get_u32(fadt, FADT_PM1B_CNT_BLK);
	if (len > FADT_RESET_VALUE && (get_u32(fadt, FADT_FLAGS) & FADT_RESET_REG_SUP) &&
	    fadt[FADT_RESET_REG] == GAS_SYSTEM_IO) {
		out->reset_port = (u16)get_u64(fadt, FADT_RESET_REG + 4);
		out->reset_value = fadt[FADT_RESET_VALUE];
	}
	return true;
}

static u8 *find_madt(const u8 *rsdp, u32 rsdp_len, u32 *len)
{
	return rsdp_valid(rsdp, rsdp_len) ? find_table(rsdp, rsdp_len, ACPI_MADT_SIGNATURE, len)
					  : NULL;
}

/*
 * A processor's MADT entry: a local APIC (type 0, 8-bit ID) or a local
 * x2APIC (type 9, 32-bit ID, for IDs the 8-bit field cannot hold; ACPI
 * Specification, "Processor Local x2APIC Structure"). False for others.
 */
static bool madt_processor(const u8 *e, u32 *id, u32 *flags_at)
{
	if (e[0] == MADT_LOCAL_APIC && e[1] >= 8) {
		*id = e[3], *flags_at = 4;
		return true;
	}
	if (e[0] == MADT_LOCAL_X2APIC && e[1] >= 16) {
		*id = get_u32(e, 4), *flags_at = 8;
		return true;
	}
	return false;
}

#define for_each_madt_entry(madt, len, off)                                              \
	for (u32 off = MADT_ENTRIES;                                                     \
	     off + 2 <= (len) && (madt)[off + 1] >= 2 && off + (madt)[off + 1] <= (len); \
	     off += (madt)[off + 1])

int acpi_hide_other_processors(const u8 *rsdp, u32 rsdp_len, u32 own_apic_id)
{
	u32 len;
	u8 *madt = find_madt(rsdp, rsdp_len, &len);
	int hidden = 0;

	if (!madt)
		return -1;
	for_each_madt_entry(madt, len, off)
	{
		u8 *e = madt + off;
		u32 id, flags_at;

		if (!madt_processor(e, &id, &flags_at) || id == own_apic_id ||
		    !(get_u32(e, flags_at) & MADT_ENABLED_OR_CAPABLE))
			continue;
		e[flags_at] &= (u8)~MADT_ENABLED_OR_CAPABLE;
		hidden++;
	}
	madt[SDT_CHECKSUM] = 0;
	madt[SDT_CHECKSUM] = (u8)(0x100 - sum_bytes(madt, len));
	return hidden;
}

int acpi_count_processors(const u8 *rsdp, u32 rsdp_len, u32 *max_apic_id)
{
	u32 len;
	const u8 *madt = find_madt(rsdp, rsdp_len, &len);
	int count = 0;

	*max_apic_id = 0;
	if (!madt)
		return -1;
	for_each_madt_entry(madt, len, off)
	{
		u32 id, flags_at;

		if (!madt_processor(madt + off, &id, &flags_at))
			continue;
		count++;
		*max_apic_id = MAX(*max_apic_id, id);
	}
	return count;
}

bool acpi_find_rsdp_in_bios(struct boot_info *boot)
{
	for (u64 p = ACPI_BIOS_AREA_START; p < ACPI_BIOS_AREA_END; p += 16) {
		const u8 *r = phys_to_virt(p);
		u32 len;

		if (memcmp(r, ACPI_RSDP_SIGNATURE, 8) || !checksum_ok(r, RSDP_V1_LEN))
			continue;
		len = r[RSDP_REVISION] >= 2 ? MIN(get_u32(r, RSDP_LENGTH), BOOT_RSDP_MAX)
					    : RSDP_V1_LEN;
		memcpy(boot->rsdp, r, len);
		boot->rsdp_len = len;
		return true;
	}
	return false;
}

/* FADT fields beyond acpi_read_power_ports()'s ("Fixed ACPI Description Table"). */
#define SDT_OEM_ID 10
#define FADT_DSDT 40
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_X_DSDT 140

/* The DSDT at phys: not through map_table(), a server's is far longer than SDT_MAX_LEN. */
static const u8 *map_dsdt(u64 phys, u32 *len)
{
	const u8 *t;

	if (!phys || phys >= SIZE_4G)
		return NULL;
	t = phys_to_virt(phys);
	*len = get_u32(t, SDT_LENGTH);
	/* Firmware with a wrong DSDT checksum is common enough that Linux only warns. */
	if (memcmp(t, "DSDT", 4) || *len < SDT_HEADER_LEN || *len > ACPI_DSDT_MAX_LEN)
		return NULL;
	return t;
}

#define AML_NAME_OP 0x08
#define AML_ROOT_CHAR '\\'
#define AML_PACKAGE_OP 0x12
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c

/* One integer constant at aml[*at]; false if it is not one. */
static bool aml_integer(const u8 *aml, u32 len, u32 *at, u32 *value)
{
	u32 i = *at, size;

	if (i >= len)
		return false;
	switch (aml[i]) {
	case AML_ZERO_OP:
	case AML_ONE_OP:
		*value = aml[i];
		*at = i + 1;
		return true;
	case AML_BYTE_PREFIX:
		size = 1;
		break;
	case AML_WORD_PREFIX:
		size = 2;
		break;
	case AML_DWORD_PREFIX:
		size = 4;
		break;
	default:
		return false;
	}
	if (i + 1 + size > len)
		return false;
	*value = 0;
	for (u32 b = 0; b < size; b++)
		*value |= (u32)aml[i + 1 + b] << (8 * b);
	*at = i + 1 + size;
	return true;
}

/* The package that follows "_S5_" at name: its first two elements. */
static bool aml_s5_package(const u8 *aml, u32 len, u32 name, u8 *typ_a, u8 *typ_b)
{
	u32 at = name + 4, a, b = 0, count;

	if (at + 2 >= len || aml[at] != AML_PACKAGE_OP)
		return false;
	/* PkgLength: bits 7:6 of its lead byte count the bytes that follow it. */
	at += 2 + (aml[at + 1] >> 6);
	if (at >= len)
		return false;
	count = aml[at++];
	if (count < 1 || !aml_integer(aml, len, &at, &a))
		return false;
	if (count >= 2 && !aml_integer(aml, len, &at, &b))
		return false;
	/* SLP_TYP is a 3-bit field of PM1 control. */
	if (a > 7 || b > 7)
		return false;
	*typ_a = (u8)a;
	*typ_b = (u8)b;
	return true;
}

bool acpi_aml_find_s5(const u8 *aml, u32 len, u8 *typ_a, u8 *typ_b)
{
	for (u32 i = 1; i + 4 <= len; i++) {
		bool named = aml[i - 1] == AML_NAME_OP ||
			     (i >= 2 && aml[i - 1] == AML_ROOT_CHAR && aml[i - 2] == AML_NAME_OP);

		if (named && !memcmp(aml + i, "_S5_", 4) &&
		    aml_s5_package(aml, len, i, typ_a, typ_b))
			return true;
	}
	return false;
}

bool acpi_read_machine(const u8 *rsdp, u32 rsdp_len, struct acpi_machine *out)
{
	const u8 *fadt, *dsdt;
	u32 len, dsdt_len;
	u64 dsdt_at;

	memset(out, 0, sizeof(*out));
	fadt = rsdp_valid(rsdp, rsdp_len) ? find_table(rsdp, rsdp_len, ACPI_FADT_SIGNATURE, &len)
					  : NULL;
	if (!fadt || len < FADT_ACPI_ENABLE + 1)
		return false;
	memcpy(out->oem_id, fadt + SDT_OEM_ID, 6);
	out->smi_cmd = (u16)get_u32(fadt, FADT_SMI_CMD);
	out->acpi_enable = fadt[FADT_ACPI_ENABLE];
	/* X_DSDT, where there is one, takes precedence over DSDT. */
	dsdt_at = len >= FADT_X_DSDT + 8 ? get_u64(fadt, FADT_X_DSDT) : 0;
	if (!dsdt_at)
		dsdt_at = get_u32(fadt, FADT_DSDT);
	dsdt = map_dsdt(dsdt_at, &dsdt_len);
	if (dsdt)
		out->have_s5 = acpi_aml_find_s5(dsdt + SDT_HEADER_LEN, dsdt_len - SDT_HEADER_LEN,
						&out->s5_typ_a, &out->s5_typ_b);
	return true;
}

/* "Serial Port Console Redirection Table" fields. */
#define SPCR_INTERFACE_TYPE 36
#define SPCR_BASE_ADDRESS 40 /* generic address structure */
#define SPCR_BAUD_RATE 58
#define SPCR_CLOCK 76 /* revision 3 and later */
#define SPCR_MIN_LEN 80
#define SDT_REVISION 8

/* SPCR's "Configured Baud Rate" codes; 0 means as the firmware left it. */
static u32 spcr_baud(u8 code)
{
	switch (code) {
	case 3:
		return 9600;
	case 4:
		return 19200;
	case 6:
		return 57600;
	case 7:
		return 115200;
	default:
		return 0;
	}
}

bool acpi_read_spcr(const u8 *rsdp, u32 rsdp_len, struct acpi_spcr *out)
{
	const u8 *spcr;
	u32 len;

	memset(out, 0, sizeof(*out));
	spcr = rsdp_valid(rsdp, rsdp_len) ? find_table(rsdp, rsdp_len, ACPI_SPCR_SIGNATURE, &len)
					  : NULL;
	if (!spcr || len < SPCR_MIN_LEN)
		return false;
	out->revision = spcr[SDT_REVISION];
	out->interface_type = spcr[SPCR_INTERFACE_TYPE];
	out->space = spcr[SPCR_BASE_ADDRESS];
	out->bit_width = spcr[SPCR_BASE_ADDRESS + 1];
	out->access_size = spcr[SPCR_BASE_ADDRESS + 3];
	out->address = get_u64(spcr, SPCR_BASE_ADDRESS + 4);
	out->baud = spcr_baud(spcr[SPCR_BAUD_RATE]);
	if (out->revision >= 3 && len >= SPCR_CLOCK + 4)
		out->clock = get_u32(spcr, SPCR_CLOCK);
	return true;
}
