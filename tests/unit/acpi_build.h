/*
 * Building ACPI tables in a test's model memory: little-endian fields, the
 * common table header (signature and length) and the checksum that makes
 * a table's bytes sum to zero (ACPI Specification, "System Description
 * Table Header").
 */
#ifndef TESTS_UNIT_ACPI_BUILD_H
#define TESTS_UNIT_ACPI_BUILD_H

#include "lib/types.h"

void acpi_put32(u8 *p, u32 v);
void acpi_put64(u8 *p, u64 v);
/* Sets byte at of the len bytes at p so that they sum to zero. */
void acpi_fix_checksum(u8 *p, u32 len, u32 at);
/* A zeroed table of len bytes at p with signature sig and its length. */
void acpi_table_header(u8 *p, const char *sig, u32 len);

#endif
