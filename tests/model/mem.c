/*
 * Physical memory: one window of host memory at a fake physical base.
 * The window is exactly as large as asked, so AddressSanitizer also
 * catches code that runs off its end after a valid phys_to_virt().
 */
#include <stdlib.h>
#include <string.h>

#include "tests/model/model.h"
#include "tests/unit/unit.h"
#include "arch/x86/paging.h"

static u8 *mem;
static u64 mem_base, mem_size;

void model_mem_reset(void)
{
	free(mem);
	mem = NULL;
	mem_base = mem_size = 0;
}

void *model_mem_map(u64 base, u64 size, u8 fill)
{
	model_mem_reset();
	mem = malloc(size);
	if (!mem)
		unit_abort(__FILE__, __LINE__, "model: cannot back %llu bytes of physical memory",
			   (unsigned long long)size);
	memset(mem, fill, size);
	mem_base = base;
	mem_size = size;
	return mem;
}

void *model_mem_ptr(u64 phys, u64 len)
{
	if (!mem || phys < mem_base || len > mem_size || phys - mem_base > mem_size - len)
		unit_abort(__FILE__, __LINE__,
			   "model: physical 0x%llx+0x%llx is outside the modelled "
			   "memory 0x%llx-0x%llx",
			   (unsigned long long)phys, (unsigned long long)len,
			   (unsigned long long)mem_base, (unsigned long long)(mem_base + mem_size));
	return mem + (phys - mem_base);
}

void *phys_to_virt(u64 phys)
{
	return model_mem_ptr(phys, 1);
}

/* The inverse inside the window; elsewhere (host memory of a test) the identity, as before. */
u64 virt_to_phys(const void *p)
{
	const u8 *b = p;

	if (mem && b >= mem && b < mem + mem_size)
		return mem_base + (u64)(b - mem);
	return (u64)(uintptr_t)p;
}
