/*
 * hv/acpi.c: the power-off and reset ports come from the FADT that the
 * RSDP leads to, through the XSDT where there is one, else the RSDT; a
 * table that fails its checksum is not used.
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/model.h"
#include "hv/acpi.h"

#define RSDT_AT 0x1000
#define XSDT_AT 0x1100
#define FADT_AT 0x2000
#define OTHER_AT 0x3000
#define FADT_LEN 244

static u8 *mem;

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static void fix_checksum(u8 *p, u32 len, u32 at)
{
	u8 sum = 0;
	p[at] = 0;
	for (u32 i = 0; i < len; i++)
		sum += p[i];
	p[at] = (u8)-sum;
}

static void table(u64 at, const char *sig, u32 len)
{
	memset(mem + at, 0, len);
	memcpy(mem + at, sig, 4);
	put32(mem + at + 4, len);
}

/* An RSDT with an unrelated table and the FADT, like Bochs' BIOS makes. */
static void make_tables(u8 *rsdp)
{
	mem = model_mem_map(0, 0x4000, 0);
	table(OTHER_AT, "SSDT", 48);
	fix_checksum(mem + OTHER_AT, 48, 9);
	table(FADT_AT, "FACP", FADT_LEN);
	put32(mem + FADT_AT + 64, 0xb004);    /* PM1a_CNT_BLK */
	put32(mem + FADT_AT + 112, 1u << 10); /* RESET_REG_SUP */
	mem[FADT_AT + 116] = 1;		      /* system I/O */
	put64(mem + FADT_AT + 120, 0xcf9);    /* reset register */
	mem[FADT_AT + 128] = 6;		      /* reset value */
	fix_checksum(mem + FADT_AT, FADT_LEN, 9);
	table(RSDT_AT, "RSDT", 36 + 8);
	put32(mem + RSDT_AT + 36, OTHER_AT);
	put32(mem + RSDT_AT + 40, FADT_AT);
	fix_checksum(mem + RSDT_AT, 44, 9);
	memset(rsdp, 0, 36);
	memcpy(rsdp, ACPI_RSDP_SIGNATURE, 8);
	put32(rsdp + 16, RSDT_AT);
	fix_checksum(rsdp, 20, 8);
}

TEST(acpi_power_ports_from_the_rsdt)
{
	struct acpi_power p;
	u8 rsdp[36];
	char err[120] = "";

	make_tables(rsdp);
	if (!CHECK(acpi_read_power_ports(rsdp, 20, &p, err, sizeof(err))))
		return;
	CHECK_EQ_U64(p.pm1a_cnt, 0xb004);
	CHECK_EQ_U64(p.pm1b_cnt, 0);
	CHECK_EQ_U64(p.reset_port, 0xcf9);
	CHECK_EQ_U64(p.reset_value, 6);
}

TEST(acpi_power_ports_through_the_xsdt)
{
	struct acpi_power p;
	u8 rsdp[36];
	char err[120] = "";

	make_tables(rsdp);
	/* The XSDT wins: make the RSDT useless to be sure it is not read. */
	table(XSDT_AT, "XSDT", 36 + 8);
	put64(mem + XSDT_AT + 36, FADT_AT);
	fix_checksum(mem + XSDT_AT, 44, 9);
	mem[RSDT_AT + 40] ^= 0xff;
	rsdp[15] = 2;
	put32(rsdp + 20, 36);
	put64(rsdp + 24, XSDT_AT);
	fix_checksum(rsdp, 20, 8);
	if (!CHECK(acpi_read_power_ports(rsdp, 36, &p, err, sizeof(err))))
		return;
	CHECK_EQ_U64(p.pm1a_cnt, 0xb004);
}

TEST(acpi_bad_tables_are_refused)
{
	struct acpi_power p;
	u8 rsdp[36];
	char err[120] = "";

	make_tables(rsdp);
	rsdp[0] = 'X';
	CHECK(!acpi_read_power_ports(rsdp, 20, &p, err, sizeof(err)));
	CHECK_CONTAINS(err, "RSDP is invalid");
	make_tables(rsdp);
	mem[FADT_AT + 64] ^= 1; /* checksum no longer matches */
	CHECK(!acpi_read_power_ports(rsdp, 20, &p, err, sizeof(err)));
	CHECK_CONTAINS(err, "no valid FADT");
	CHECK_EQ_U64(p.pm1a_cnt, 0);
}

#define MADT_AT 0x3800

TEST(acpi_madt_other_processors_are_disabled_for_the_guest)
{
	u8 rsdp[36], sum = 0;
	u8 *m;

	make_tables(rsdp);
	/* Header, local APIC address and flags; two processors and an I/O APIC. */
	table(MADT_AT, "APIC", 44 + 8 + 8 + 12);
	m = mem + MADT_AT;
	m[44] = 0, m[45] = 8, m[46] = 0, m[47] = 0, put32(m + 48, 1); /* CPU 0, APIC 0 */
	m[52] = 0, m[53] = 8, m[54] = 1, m[55] = 1, put32(m + 56, 1); /* CPU 1, APIC 1 */
	m[60] = 1, m[61] = 12, m[62] = 2, put32(m + 64, 0xfec00000);  /* I/O APIC */
	fix_checksum(m, 72, 9);
	put32(mem + RSDT_AT + 36, MADT_AT); /* in place of the unrelated table */
	fix_checksum(mem + RSDT_AT, 44, 9);

	CHECK_EQ_U64(acpi_hide_other_processors(rsdp, 20, 0), 1);
	CHECK_EQ_U64(m[48], 1); /* ours stays enabled */
	CHECK_EQ_U64(m[56], 0);
	CHECK_EQ_U64(m[64 + 3], 0xfe); /* the I/O APIC entry is untouched */
	for (int i = 0; i < 72; i++)
		sum += m[i];
	CHECK_EQ_U64(sum, 0);
	/* Run again: nothing left to hide. */
	CHECK_EQ_U64(acpi_hide_other_processors(rsdp, 20, 0), 0);
	put32(mem + RSDT_AT + 36, OTHER_AT);
	fix_checksum(mem + RSDT_AT, 44, 9);
	CHECK_EQ_U64(acpi_hide_other_processors(rsdp, 20, 0), (u64)-1);
}
