#include <string.h>

#include "tests/unit/acpi_build.h"

void acpi_put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

void acpi_put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

void acpi_fix_checksum(u8 *p, u32 len, u32 at)
{
	u8 sum = 0;

	p[at] = 0;
	for (u32 i = 0; i < len; i++)
		sum += p[i];
	p[at] = (u8)-sum;
}

void acpi_table_header(u8 *p, const char *sig, u32 len)
{
	memset(p, 0, len);
	memcpy(p, sig, 4);
	acpi_put32(p + 4, len);
}
