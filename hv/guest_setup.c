/*
 * Preparing the one guest: its memory (EPT without the hypervisor's
 * memory), its kernel loaded from the first module, its boot information,
 * and its vCPU. Further modules are handed to the guest as its own.
 */
#include "guest_setup.h"
#include "log.h"
#include "status.h"
#include "vcpu.h"
#include "../arch/x86/paging.h"

static struct mem_region guest_map[GUEST_MAX_SEGMENTS];
static struct mem_segment segments[GUEST_MAX_SEGMENTS];

static u64 address_space_top(const struct boot_info *boot)
{
	u64 top = SIZE_4G;
	for (int i = 0; i < boot->nr_regions; i++)
		if (boot->regions[i].type == MB2_MEMORY_AVAILABLE)
			top = MAX(top, ALIGN_UP(boot->regions[i].base + boot->regions[i].len,
						SIZE_2M));
	return top;
}

static void build_ept(struct guest_memory *mem)
{
	int n = guest_memory_partition(mem->regions, mem->nr_regions, mem->hidden,
				       mem->nr_hidden, mem->top, segments,
				       GUEST_MAX_SEGMENTS);

	if (n < 0)
		hv_fail(HV_STATUS_BAD_INPUT, "memory map too fragmented for EPT");
	if (!ept_init(&vcpu.ept))
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for EPT");
	for (int i = 0; i < n; i++) {
		const struct mem_segment *s = &segments[i];
		pr_debug("ept: %016llx-%016llx %s", (unsigned long long)s->start,
			 (unsigned long long)s->end,
			 s->kind == SEG_HIDDEN ? "hidden" : s->kind == SEG_RAM ? "RAM WB" : "MMIO UC");
		if (s->kind == SEG_HIDDEN)
			continue;
		if (!ept_map_identity(&vcpu.ept, s->start, s->end,
				      s->kind == SEG_RAM ? EPT_MT_WB : EPT_MT_UC))
			hv_fail(HV_STATUS_HV_FAULT, "out of memory for EPT tables");
	}
}

static void load_kernel(const struct boot_info *boot, struct guest_memory *mem,
			struct guest_image *image)
{
	const struct boot_module *m = &boot->modules[0];
	struct phys_range forbidden[BOOT_MAX_MODULES + 1];
	struct load_policy policy = { mem->regions, mem->nr_regions, mem->hidden,
				      mem->nr_hidden, forbidden, 0 };
	char err[200];

	for (int i = 0; i < boot->nr_modules; i++)
		forbidden[policy.nr_forbidden++] =
			(struct phys_range){ boot->modules[i].start, boot->modules[i].end };
	forbidden[policy.nr_forbidden++] =
		(struct phys_range){ GUEST_BOOT_AREA_START, GUEST_BOOT_AREA_END };
	if (!guest_load(phys_to_virt(m->start), m->end - m->start, &policy, image,
			err, sizeof(err)))
		hv_fail(HV_STATUS_BAD_INPUT, "guest module '%s': %s", m->cmdline, err);
	pr_info("guest: %s kernel at 0x%llx-0x%llx, entry 0x%llx, command line '%s'",
		image->protocol == BOOT_MULTIBOOT2 ? "multiboot2" : "multiboot1",
		(unsigned long long)image->load_start,
		(unsigned long long)image->load_end,
		(unsigned long long)image->entry, m->cmdline);
}

void guest_setup(const struct boot_info *boot, struct phys_range image_range,
		 struct phys_range pool)
{
	struct guest_memory *mem = &vcpu.mem;
	struct guest_image image;
	struct guest_boot gb;
	char err[200];
	int nr_map;

	mem->regions = boot->regions;
	mem->nr_regions = boot->nr_regions;
	mem->hidden[0] = image_range;
	mem->hidden[1] = pool;
	mem->nr_hidden = 2;
	mem->top = address_space_top(boot);

	nr_map = guest_memory_map(boot->regions, boot->nr_regions, mem->hidden,
				  mem->nr_hidden, guest_map, GUEST_MAX_SEGMENTS);
	if (nr_map < 0)
		hv_fail(HV_STATUS_BAD_INPUT, "memory map too fragmented for the guest");
	if (!guest_memory_is_ram(mem->regions, mem->nr_regions, mem->hidden,
				 mem->nr_hidden, GUEST_BOOT_AREA_START, GUEST_BOOT_AREA_END))
		hv_fail(HV_STATUS_BAD_INPUT, "guest boot area 0x%llx-0x%llx is not available RAM",
			GUEST_BOOT_AREA_START, GUEST_BOOT_AREA_END);
	load_kernel(boot, mem, &image);
	if (!guest_boot_info_build(image.protocol, boot->modules[0].cmdline,
				   boot->modules + 1, boot->nr_modules - 1, guest_map,
				   nr_map, &gb, err, sizeof(err)))
		hv_fail(HV_STATUS_BAD_INPUT, "%s", err);
	build_ept(mem);
	vcpu_create(&image, &gb);
}
