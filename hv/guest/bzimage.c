#include "hv/guest/bzimage.h"
#include "arch/x86/paging.h"
#include "lib/printf.h"
#include "lib/string.h"

#define FAIL(...)                                      \
	do {                                           \
		snprintf_hv(err, errlen, __VA_ARGS__); \
		return false;                          \
	} while (0)

#define SECTOR 512
#define DEFAULT_SETUP_SECTS 4
#define LOWEST_LOAD 0x100000ULL
#define HIGHEST_END (1ULL << 32) /* the 32-bit entry cannot reach further */

struct bzimage {
	u64 setup_size; /* real-mode part, skipped */
	u32 header_len; /* setup header bytes from BZ_SETUP_SECTS */
	u64 kernel_alignment, pref_address, init_size;
};

bool bzimage_detect(const u8 *image, u64 size)
{
	return size >= BZ_HEADER + 4 && get_u32(image, BZ_HEADER) == BZ_HEADER_MAGIC;
}

static bool parse(const u8 *image, u64 size, struct bzimage *bz, char *err, size_t errlen)
{
	u16 version;
	u64 header_end, sects;

	if (size < BZ_HEADER_END_MAX || get_u16(image, BZ_BOOT_FLAG) != BZ_BOOT_FLAG_MAGIC)
		FAIL("bzImage header is corrupt: no boot flag 0x%x", BZ_BOOT_FLAG_MAGIC);
	version = get_u16(image, BZ_VERSION);
	if (version < BZ_MIN_VERSION)
		FAIL("bzImage boot protocol %u.%02u is too old: 2.12 or later is needed",
		     version >> 8, version & 0xff);
	header_end = BZ_JUMP + 2 + (u64)image[BZ_JUMP + 1];
	if (header_end < BZ_INIT_SIZE + 4 || header_end > BZ_HEADER_END_MAX)
		FAIL("bzImage header is corrupt: setup header ends at 0x%llx",
		     (unsigned long long)header_end);
	sects = image[BZ_SETUP_SECTS] ? image[BZ_SETUP_SECTS] : DEFAULT_SETUP_SECTS;
	bz->setup_size = (sects + 1) * SECTOR;
	bz->header_len = (u32)(header_end - BZ_SETUP_SECTS);
	if (bz->setup_size >= size)
		FAIL("bzImage header is corrupt: %llu setup sectors but only %llu bytes",
		     (unsigned long long)sects, (unsigned long long)size);
	if (!image[BZ_RELOCATABLE_KERNEL])
		FAIL("bzImage is not relocatable (CONFIG_RELOCATABLE=n)");
	bz->kernel_alignment = get_u32(image, BZ_KERNEL_ALIGNMENT);
	if (bz->kernel_alignment < PAGE_SIZE || (bz->kernel_alignment & (bz->kernel_alignment - 1)))
		FAIL("bzImage header is corrupt: kernel_alignment 0x%llx is not a power of two",
		     (unsigned long long)bz->kernel_alignment);
	memcpy(&bz->pref_address, image + BZ_PREF_ADDRESS, 8);
	bz->init_size = get_u32(image, BZ_INIT_SIZE);
	if (bz->init_size < size - bz->setup_size)
		FAIL("bzImage header is corrupt: init_size 0x%llx is smaller than the kernel",
		     (unsigned long long)bz->init_size);
	return true;
}

/* The lowest allowed address: pref_address first, then each aligned address upwards. */
static u64 choose_address(const struct bzimage *bz, const struct load_policy *policy)
{
	u64 a = bz->pref_address;

	if (a >= LOWEST_LOAD && a % bz->kernel_alignment == 0 &&
	    guest_range_allowed(policy, a, a + bz->init_size))
		return a;
	for (a = ALIGN_UP(LOWEST_LOAD, bz->kernel_alignment); a + bz->init_size <= HIGHEST_END;
	     a += bz->kernel_alignment)
		if (guest_range_allowed(policy, a, a + bz->init_size))
			return a;
	return 0;
}

bool bzimage_load(const u8 *image, u64 size, const struct load_policy *policy,
		  struct guest_image *out, char *err, size_t errlen)
{
	struct bzimage bz;
	u64 at;

	if (!parse(image, size, &bz, err, errlen))
		return false;
	at = choose_address(&bz, policy);
	if (!at)
		FAIL("bzImage does not fit: no 0x%llx-aligned range of %llu KiB in guest RAM",
		     (unsigned long long)bz.kernel_alignment,
		     (unsigned long long)(bz.init_size >> 10));
	memcpy(phys_to_virt(at), image + bz.setup_size, size - bz.setup_size);
	out->protocol = BOOT_LINUX;
	out->entry = at; /* startup_32 is the first byte of the protected-mode kernel */
	out->load_start = at;
	out->load_end = at + bz.init_size;
	out->setup_header = image + BZ_SETUP_SECTS;
	out->setup_header_len = bz.header_len;
	return true;
}
