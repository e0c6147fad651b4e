#include "hv/guest/loader.h"
#include "hv/guest/elf.h"
#include "hv/guest/memory.h"
#include "arch/x86/paging.h"
#include "lib/printf.h"
#include "lib/string.h"

#define FAIL(...)                                      \
	do {                                           \
		snprintf_hv(err, errlen, __VA_ARGS__); \
		return false;                          \
	} while (0)

struct segment {
	u64 paddr, offset, filesz, memsz;
};

#define MAX_SEGMENTS 32

static u32 read_u32(const u8 *p)
{
	u32 v;
	memcpy(&v, p, 4);
	return v;
}

static bool find_multiboot1(const u8 *image, u64 size, u32 *flags)
{
	for (u64 off = 0; off + 12 <= MIN(size, MB1_HEADER_SEARCH); off += 4) {
		u32 magic = read_u32(image + off), f = read_u32(image + off + 4);
		if (magic == MB1_HEADER_MAGIC &&
		    (u32)(magic + f + read_u32(image + off + 8)) == 0) {
			*flags = f;
			return true;
		}
	}
	return false;
}

/* True if a valid header is found; an entry address tag overrides *entry. */
static bool find_multiboot2(const u8 *image, u64 size, u64 *entry)
{
	for (u64 off = 0; off + 16 <= MIN(size, MB2_HEADER_SEARCH); off += 8) {
		u32 magic = read_u32(image + off), arch = read_u32(image + off + 4);
		u32 len = read_u32(image + off + 8);
		if (magic != MB2_HEADER_MAGIC ||
		    (u32)(magic + arch + len + read_u32(image + off + 12)) != 0)
			continue;
		for (u64 t = off + 16; t + 8 <= off + len && t + 8 <= size;) {
			u16 type = (u16)read_u32(image + t);
			u32 tsize = read_u32(image + t + 4);
			if (type == 0 || tsize < 8)
				break;
			if (type == MB2_HEADER_TAG_ENTRY_ADDRESS && tsize >= 12)
				*entry = read_u32(image + t + 8);
			t += ALIGN_UP(tsize, 8);
		}
		return true;
	}
	return false;
}

/*
 * The PVH entry from the image's notes (System V ABI, "Note Section"):
 * name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY, a 32- or 64-bit address.
 */
static bool find_pvh_note(const u8 *image, u64 size, u64 offset, u64 len, u64 *entry)
{
	u64 end = offset + len, p = offset;

	if (offset > size || len > size - offset)
		return false;
	while (p + 12 <= end) {
		u32 namesz = read_u32(image + p), descsz = read_u32(image + p + 4);
		u32 type = read_u32(image + p + 8);
		u64 name = p + 12, desc = name + ALIGN_UP(namesz, 4);

		if (desc + ALIGN_UP(descsz, 4) > end)
			return false;
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
		    !memcmp(image + name, "Xen", 4) && (descsz == 4 || descsz == 8)) {
			*entry = read_u32(image + desc);
			return true;
		}
		p = desc + ALIGN_UP(descsz, 4);
	}
	return false;
}

/* Read the program headers of a 32- or 64-bit ELF into segs. */
static bool read_segments(const u8 *image, u64 size, u64 *entry, u64 *pvh_entry,
			  struct segment *segs, int *count, char *err, size_t errlen)
{
	bool is64 = image[EI_CLASS] == ELFCLASS64;
	u64 phoff, phentsize, phnum;
	int n = 0;

	if (is64) {
		const struct elf64_ehdr *h = (const void *)image;
		if (size < sizeof(*h) || h->e_machine != EM_X86_64)
			FAIL("ELF64 image is not for x86-64");
		phoff = h->e_phoff, phentsize = h->e_phentsize, phnum = h->e_phnum;
		*entry = h->e_entry;
	} else {
		const struct elf32_ehdr *h = (const void *)image;
		if (size < sizeof(*h) || h->e_machine != EM_386)
			FAIL("ELF32 image is not for i386");
		phoff = h->e_phoff, phentsize = h->e_phentsize, phnum = h->e_phnum;
		*entry = h->e_entry;
	}
	if (phentsize < (is64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr)) ||
	    phoff > size || phnum * phentsize > size - phoff)
		FAIL("ELF program headers lie outside the image");
	for (u64 i = 0; i < phnum; i++) {
		const u8 *ph = image + phoff + i * phentsize;
		struct segment s;
		if (is64) {
			const struct elf64_phdr *p = (const void *)ph;
			if (p->p_type == PT_NOTE)
				find_pvh_note(image, size, p->p_offset, p->p_filesz, pvh_entry);
			if (p->p_type != PT_LOAD)
				continue;
			s = (struct segment){ p->p_paddr, p->p_offset, p->p_filesz, p->p_memsz };
		} else {
			const struct elf32_phdr *p = (const void *)ph;
			if (p->p_type == PT_NOTE)
				find_pvh_note(image, size, p->p_offset, p->p_filesz, pvh_entry);
			if (p->p_type != PT_LOAD)
				continue;
			s = (struct segment){ p->p_paddr, p->p_offset, p->p_filesz, p->p_memsz };
		}
		if (s.memsz == 0)
			continue;
		if (n == MAX_SEGMENTS)
			FAIL("ELF image has more than %d loadable segments", MAX_SEGMENTS);
		segs[n++] = s;
	}
	if (n == 0)
		FAIL("ELF image has no loadable segment");
	*count = n;
	return true;
}

bool guest_range_allowed(const struct load_policy *pol, u64 start, u64 end)
{
	for (int i = 0; i < pol->nr_hidden; i++)
		if (start < pol->hidden[i].end && pol->hidden[i].start < end)
			return false;
	for (int i = 0; i < pol->nr_forbidden; i++)
		if (start < pol->forbidden[i].end && pol->forbidden[i].start < end)
			return false;
	return start < end && guest_memory_is_ram(pol->regions, pol->nr_regions, pol->hidden,
						  pol->nr_hidden, start, end);
}

const char *boot_protocol_name(enum boot_protocol protocol)
{
	switch (protocol) {
	case BOOT_MULTIBOOT1:
		return "multiboot1";
	case BOOT_MULTIBOOT2:
		return "multiboot2";
	case BOOT_PVH:
		return "PVH";
	case BOOT_LINUX:
		return "Linux boot protocol";
	}
	return "unknown";
}

static bool check_segment(const struct segment *s, u64 size, const struct load_policy *pol,
			  char *err, size_t errlen)
{
	u64 end = s->paddr + s->memsz;

	if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset)
		FAIL("ELF segment at 0x%llx has file data outside the image",
		     (unsigned long long)s->paddr);
	if (end < s->paddr)
		FAIL("ELF segment at 0x%llx wraps around", (unsigned long long)s->paddr);
	for (int i = 0; i < pol->nr_hidden; i++)
		if (s->paddr < pol->hidden[i].end && pol->hidden[i].start < end)
			FAIL("guest segment 0x%llx-0x%llx overlaps hypervisor memory 0x%llx-0x%llx",
			     (unsigned long long)s->paddr, (unsigned long long)end,
			     (unsigned long long)pol->hidden[i].start,
			     (unsigned long long)pol->hidden[i].end);
	for (int i = 0; i < pol->nr_forbidden; i++)
		if (s->paddr < pol->forbidden[i].end && pol->forbidden[i].start < end)
			FAIL("guest segment 0x%llx-0x%llx overlaps a module or the boot "
			     "information at 0x%llx-0x%llx",
			     (unsigned long long)s->paddr, (unsigned long long)end,
			     (unsigned long long)pol->forbidden[i].start,
			     (unsigned long long)pol->forbidden[i].end);
	if (!guest_memory_is_ram(pol->regions, pol->nr_regions, pol->hidden, pol->nr_hidden,
				 s->paddr, end))
		FAIL("guest segment 0x%llx-0x%llx is not in available RAM",
		     (unsigned long long)s->paddr, (unsigned long long)end);
	return true;
}

static bool check_elf_ident(const u8 *image, u64 size, char *err, size_t errlen)
{
	if (size < 4 || memcmp(image, ELF_MAGIC, 4))
		FAIL("guest module is not an ELF image (no ELF magic in its first bytes)");
	if (size < sizeof(struct elf32_ehdr) ||
	    (image[EI_CLASS] != ELFCLASS32 && image[EI_CLASS] != ELFCLASS64) ||
	    image[EI_DATA] != ELFDATA2LSB)
		FAIL("guest module is not a little-endian 32- or 64-bit ELF image");
	return true;
}

bool guest_load(const u8 *image, u64 size, const struct load_policy *policy,
		struct guest_image *out, char *err, size_t errlen)
{
	struct segment segs[MAX_SEGMENTS];
	u64 entry = 0, pvh_entry = 0;
	u32 mb1_flags = 0;
	int n;

	if (!check_elf_ident(image, size, err, errlen))
		return false;
	if (!read_segments(image, size, &entry, &pvh_entry, segs, &n, err, errlen))
		return false;
	/* A kernel with both headers gets multiboot1, the protocol kvm-unit-tests and QEMU -kernel use. */
	if (find_multiboot1(image, size, &mb1_flags))
		out->protocol = BOOT_MULTIBOOT1;
	else if (find_multiboot2(image, size, &entry))
		out->protocol = BOOT_MULTIBOOT2;
	else if (pvh_entry)
		out->protocol = BOOT_PVH, entry = pvh_entry;
	else
		FAIL("guest ELF image has neither a multiboot1 nor a multiboot2 header nor a PVH "
		     "entry note");
	if (out->protocol == BOOT_MULTIBOOT1 && (mb1_flags & MB1_FLAG_AOUT_KLUDGE))
		FAIL("multiboot1 a.out kludge (header flag 16) is not supported; link the guest as "
		     "ELF");

	out->load_start = UINT64_MAX;
	out->load_end = 0;
	for (int i = 0; i < n; i++) {
		if (!check_segment(&segs[i], size, policy, err, errlen))
			return false;
		out->load_start = MIN(out->load_start, segs[i].paddr);
		out->load_end = MAX(out->load_end, segs[i].paddr + segs[i].memsz);
	}
	if (entry < out->load_start || entry >= out->load_end || entry >= SIZE_4G)
		FAIL("guest entry point 0x%llx is outside its loaded segments",
		     (unsigned long long)entry);
	for (int i = 0; i < n; i++) {
		u8 *dst = phys_to_virt(segs[i].paddr);
		memcpy(dst, image + segs[i].offset, segs[i].filesz);
		memset(dst + segs[i].filesz, 0, segs[i].memsz - segs[i].filesz);
	}
	out->entry = entry;
	return true;
}
