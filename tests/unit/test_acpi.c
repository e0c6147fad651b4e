/*
 * hv/boot/acpi.c: the power-off and reset ports come from the FADT that the
 * RSDP leads to, through the XSDT where there is one, else the RSDT; a
 * table that fails its checksum is not used.
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/unit/acpi_build.h"
#include "tests/model/model.h"
#include "hv/boot/acpi.h"
#include "hv/cpu/ap.h"
#include "arch/x86/lapic.h"

#define RSDT_AT 0x1000
#define XSDT_AT 0x1100
#define FADT_AT 0x2000
#define OTHER_AT 0x3000
#define FADT_LEN 244

static u8 *mem;

/* The table builders, at an address of this file's model memory. */
static void table(u64 at, const char *sig, u32 len)
{
	acpi_table_header(mem + at, sig, len);
}

/* An RSDT with an unrelated table and the FADT, like Bochs' BIOS makes. */
static void make_tables(u8 *rsdp)
{
	mem = model_mem_map(0, 0x8000, 0);
	table(OTHER_AT, "SSDT", 48);
	acpi_fix_checksum(mem + OTHER_AT, 48, 9);
	table(FADT_AT, "FACP", FADT_LEN);
	acpi_put32(mem + FADT_AT + 64, 0xb004);	   /* PM1a_CNT_BLK */
	acpi_put32(mem + FADT_AT + 112, 1u << 10); /* RESET_REG_SUP */
	mem[FADT_AT + 116] = 1;			   /* system I/O */
	acpi_put64(mem + FADT_AT + 120, 0xcf9);	   /* reset register */
	mem[FADT_AT + 128] = 6;			   /* reset value */
	acpi_fix_checksum(mem + FADT_AT, FADT_LEN, 9);
	table(RSDT_AT, "RSDT", 36 + 8);
	acpi_put32(mem + RSDT_AT + 36, OTHER_AT);
	acpi_put32(mem + RSDT_AT + 40, FADT_AT);
	acpi_fix_checksum(mem + RSDT_AT, 44, 9);
	memset(rsdp, 0, 36);
	memcpy(rsdp, ACPI_RSDP_SIGNATURE, 8);
	acpi_put32(rsdp + 16, RSDT_AT);
	acpi_fix_checksum(rsdp, 20, 8);
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
	acpi_put64(mem + XSDT_AT + 36, FADT_AT);
	acpi_fix_checksum(mem + XSDT_AT, 44, 9);
	mem[RSDT_AT + 40] ^= 0xff;
	rsdp[15] = 2;
	acpi_put32(rsdp + 20, 36);
	acpi_put64(rsdp + 24, XSDT_AT);
	acpi_fix_checksum(rsdp, 20, 8);
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
	m[44] = 0, m[45] = 8, m[46] = 0, m[47] = 0, acpi_put32(m + 48, 1); /* CPU 0, APIC 0 */
	m[52] = 0, m[53] = 8, m[54] = 1, m[55] = 1, acpi_put32(m + 56, 1); /* CPU 1, APIC 1 */
	m[60] = 1, m[61] = 12, m[62] = 2, acpi_put32(m + 64, 0xfec00000);  /* I/O APIC */
	acpi_fix_checksum(m, 72, 9);
	acpi_put32(mem + RSDT_AT + 36, MADT_AT); /* in place of the unrelated table */
	acpi_fix_checksum(mem + RSDT_AT, 44, 9);

	CHECK_EQ_U64(acpi_hide_other_processors(rsdp, 20, 0), 1);
	CHECK_EQ_U64(m[48], 1); /* ours stays enabled */
	CHECK_EQ_U64(m[56], 0);
	CHECK_EQ_U64(m[64 + 3], 0xfe); /* the I/O APIC entry is untouched */
	for (int i = 0; i < 72; i++)
		sum += m[i];
	CHECK_EQ_U64(sum, 0);
	/* Run again: nothing left to hide. */
	CHECK_EQ_U64(acpi_hide_other_processors(rsdp, 20, 0), 0);
	acpi_put32(mem + RSDT_AT + 36, OTHER_AT);
	acpi_fix_checksum(mem + RSDT_AT, 44, 9);
	CHECK_EQ_U64(acpi_hide_other_processors(rsdp, 20, 0), (u64)-1);
}

/*
 * A machine with more processors than an 8-bit APIC ID can name: the
 * firmware lists those past 254 as local x2APIC entries (type 9). Each is
 * counted, and each AP gets a slot to start in.
 */
#define BIG_MADT_AT 0x4000

TEST(acpi_madt_x2apic_processors_beyond_256_are_counted)
{
	enum { XAPICS = 255, X2APICS = 45, ENTRIES_AT = 44 };
	u32 len = ENTRIES_AT + XAPICS * 8 + X2APICS * 16 + 12, max_id;
	struct boot_info boot = { .rsdp_len = 20 };
	u8 *m, *e;

	make_tables(boot.rsdp);
	model_msr_set(MSR_IA32_APICBASE,
		      0xfee00000 | APICBASE_ENABLE | APICBASE_X2APIC | APICBASE_BSP);
	table(BIG_MADT_AT, "APIC", len);
	m = mem + BIG_MADT_AT;
	e = m + ENTRIES_AT;
	for (u32 id = 0; id < XAPICS; id++, e += 8)
		e[0] = 0, e[1] = 8, e[2] = (u8)id, e[3] = (u8)id, acpi_put32(e + 4, 1);
	e[0] = 1, e[1] = 12, e += 12; /* an I/O APIC among them */
	for (u32 i = 0; i < X2APICS; i++, e += 16) {
		memset(e, 0, 16);
		e[0] = 9, e[1] = 16, acpi_put32(e + 4, 0x100 + 2 * i); /* x2APIC ID */
		acpi_put32(e + 8,
			   i == 0 ? 0 : 1); /* the first disabled: a STARTUP may still reach it */
		acpi_put32(e + 12, XAPICS + i); /* ACPI processor UID */
	}
	acpi_fix_checksum(m, len, 9);
	acpi_put32(mem + RSDT_AT + 36, BIG_MADT_AT);
	acpi_fix_checksum(mem + RSDT_AT, 44, 9);

	CHECK_EQ_U64(acpi_count_processors(boot.rsdp, 20, &max_id), XAPICS + X2APICS);
	CHECK_EQ_U64(max_id, 0x100 + 2 * (X2APICS - 1));
	CHECK_EQ_U64(ap_slots_needed(&boot), XAPICS + X2APICS - 1);
	/* The guest keeps one of them: the other 299 are hidden, x2APIC entries too. */
	CHECK_EQ_U64(acpi_hide_other_processors(boot.rsdp, 20, 0), XAPICS + X2APICS - 2);
	CHECK_EQ_U64(acpi_count_processors(boot.rsdp, 20, &max_id), XAPICS + X2APICS);
	/* A truncated entry at the end is not read past the table. */
	m[4] = (u8)(len - 4), m[5] = (u8)((len - 4) >> 8);
	acpi_fix_checksum(m, len - 4, 9);
	CHECK_EQ_U64(acpi_count_processors(boot.rsdp, 20, &max_id), XAPICS + X2APICS - 1);
}

#define SPCR_AT 0x3000
#define DSDT_AT 0x3400

/* The unrelated table becomes an SPCR of this revision naming a UART. */
static void make_spcr(u8 *rsdp, u8 revision, u8 type, u8 space, u8 width, u8 access, u64 addr,
		      u8 baud)
{
	u8 *s;

	make_tables(rsdp);
	table(SPCR_AT, "SPCR", 88);
	s = mem + SPCR_AT;
	s[8] = revision;
	s[36] = type;
	s[40] = space, s[41] = width, s[43] = access;
	acpi_put64(s + 44, addr);
	s[58] = baud;
	acpi_put32(s + 76, 48000000); /* UART clock, revision 3 and later */
	acpi_fix_checksum(s, 88, 9);
}

TEST(acpi_spcr_io_port_uart)
{
	struct acpi_spcr s;
	u8 rsdp[36];

	make_tables(rsdp);
	CHECK(!acpi_read_spcr(rsdp, 20, &s)); /* no SPCR at all */
	make_spcr(rsdp, 2, SPCR_16550, 1, 8, 1, 0x2f8, 7);
	if (!CHECK(acpi_read_spcr(rsdp, 20, &s)))
		return;
	CHECK_EQ_U64(s.interface_type, SPCR_16550);
	CHECK_EQ_U64(s.space, 1);
	CHECK_EQ_U64(s.address, 0x2f8);
	CHECK_EQ_U64(s.baud, 115200);
	CHECK_EQ_U64(s.clock, 0); /* revision 2 has no clock field */
	make_spcr(rsdp, 1, SPCR_16450, 1, 8, 0, 0x3f8, 3);
	CHECK(acpi_read_spcr(rsdp, 20, &s));
	CHECK_EQ_U64(s.interface_type, SPCR_16450);
	CHECK_EQ_U64(s.baud, 9600);
	make_spcr(rsdp, 2, SPCR_16550, 1, 8, 0, 0x3f8, 0);
	CHECK(acpi_read_spcr(rsdp, 20, &s));
	CHECK_EQ_U64(s.baud, 0); /* "as is" */
}

TEST(acpi_spcr_mmio_uart_and_bad_checksum)
{
	struct acpi_spcr s;
	u8 rsdp[36];

	make_spcr(rsdp, 3, SPCR_16550_GAS, 0, 32, 3, 0xfe032000, 6);
	if (!CHECK(acpi_read_spcr(rsdp, 20, &s)))
		return;
	CHECK_EQ_U64(s.interface_type, 0x12);
	CHECK_EQ_U64(s.space, 0);
	CHECK_EQ_U64(s.bit_width, 32);
	CHECK_EQ_U64(s.access_size, 3);
	CHECK_EQ_U64(s.address, 0xfe032000);
	CHECK_EQ_U64(s.baud, 57600);
	CHECK_EQ_U64(s.clock, 48000000);
	mem[SPCR_AT + 44] ^= 1;
	CHECK(!acpi_read_spcr(rsdp, 20, &s));
}

/* AML of "Name (\_S5, Package (4) {a, b, Zero, Zero})" with the integers as given. */
static u32 s5_aml(u8 *p, bool root, const u8 *ints, u32 ints_len)
{
	u32 n = 0;

	p[n++] = 0x08; /* NameOp */
	if (root)
		p[n++] = '\\';
	memcpy(p + n, "_S5_", 4);
	n += 4;
	p[n++] = 0x12;		       /* PackageOp */
	p[n++] = (u8)(2 + ints_len);   /* PkgLength, one byte */
	p[n++] = 4;		       /* NumElements */
	memcpy(p + n, ints, ints_len); /* the elements */
	return n + ints_len;
}

TEST(acpi_aml_s5_package)
{
	static const u8 zeroes[] = { 0x00, 0x00, 0x00, 0x00 };
	static const u8 bytes[] = { 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 };
	static const u8 one_word[] = { 0x01, 0x0b, 0x03, 0x00, 0x00, 0x00 };
	static const u8 too_big[] = { 0x0a, 0x08, 0x00, 0x00, 0x00 };
	static const u8 method[] = { 0x14, 0x05, 0x00, 0x00 };
	u8 aml[64], a = 9, b = 9;
	u32 n;

	/* Preceded by other AML, and a "_S5_" that is not a Name first. */
	memset(aml, 0x5b, sizeof(aml));
	memcpy(aml + 3, "_S5_", 4);
	n = s5_aml(aml + 10, false, zeroes, sizeof(zeroes));
	CHECK(acpi_aml_find_s5(aml, 10 + n, &a, &b));
	CHECK_EQ_U64(a, 0);
	CHECK_EQ_U64(b, 0);
	n = s5_aml(aml, true, bytes, sizeof(bytes));
	CHECK(acpi_aml_find_s5(aml, n, &a, &b));
	CHECK_EQ_U64(a, 5);
	CHECK_EQ_U64(b, 7);
	n = s5_aml(aml, false, one_word, sizeof(one_word));
	CHECK(acpi_aml_find_s5(aml, n, &a, &b));
	CHECK_EQ_U64(a, 1);
	CHECK_EQ_U64(b, 3);
	/* SLP_TYP is 3 bits; a package of no integers; cut short; none at all. */
	n = s5_aml(aml, false, too_big, sizeof(too_big));
	CHECK(!acpi_aml_find_s5(aml, n, &a, &b));
	n = s5_aml(aml, false, method, sizeof(method));
	CHECK(!acpi_aml_find_s5(aml, n, &a, &b));
	n = s5_aml(aml, false, bytes, sizeof(bytes));
	CHECK(!acpi_aml_find_s5(aml, n - 4, &a, &b));
	memset(aml, 0, sizeof(aml));
	CHECK(!acpi_aml_find_s5(aml, sizeof(aml), &a, &b));
}

/* The FADT's OEM ID, SMI_CMD and ACPI_ENABLE, and \_S5 from the DSDT it names. */
TEST(acpi_machine_from_fadt_and_dsdt)
{
	static const u8 s5[] = { 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	struct acpi_machine m;
	u8 rsdp[36];
	u32 n;

	make_tables(rsdp);
	memcpy(mem + FADT_AT + 10, "DELL  ", 6);
	acpi_put32(mem + FADT_AT + 48, 0xb2); /* SMI_CMD */
	mem[FADT_AT + 52] = 0xa0;	      /* ACPI_ENABLE */
	acpi_put32(mem + FADT_AT + 40, DSDT_AT);
	table(DSDT_AT, "DSDT", 36);
	n = s5_aml(mem + DSDT_AT + 36, true, s5, sizeof(s5));
	acpi_put32(mem + DSDT_AT + 4, 36 + n);
	acpi_fix_checksum(mem + FADT_AT, FADT_LEN, 9);
	if (!CHECK(acpi_read_machine(rsdp, 20, &m)))
		return;
	CHECK_STR(m.oem_id, "DELL  ");
	CHECK_EQ_U64(m.smi_cmd, 0xb2);
	CHECK_EQ_U64(m.acpi_enable, 0xa0);
	CHECK(m.have_s5);
	CHECK_EQ_U64(m.s5_typ_a, 5);
	CHECK_EQ_U64(m.s5_typ_b, 5);

	/* X_DSDT wins over DSDT: point it at a DSDT without \_S5. */
	table(0x3800, "DSDT", 40);
	acpi_put64(mem + FADT_AT + 140, 0x3800);
	acpi_fix_checksum(mem + FADT_AT, FADT_LEN, 9);
	CHECK(acpi_read_machine(rsdp, 20, &m));
	CHECK(!m.have_s5);

	mem[FADT_AT + 9] ^= 1;
	CHECK(!acpi_read_machine(rsdp, 20, &m));
	CHECK_STR(m.oem_id, "");
}
