/*
 * Preparing the one guest: its memory (EPT without the hypervisor's
 * memory), its kernel loaded from the first module, its boot information,
 * and its vCPU with the intercepts and the TSC the exit handlers serve.
 * Further modules are handed to the guest as its own.
 */
#include "hv/run/guest_setup.h"
#include "hv/guest/bzimage.h"
#include "hv/boot/acpi.h"
#include "arch/x86/cpuid.h"
#include "hv/base/log.h"
#include "hv/base/status.h"
#include "hv/cpu/vcpu.h"
#include "hv/exit/intercepts.h"
#include "hv/exit/tsc.h"
#include "arch/x86/paging.h"
#include "lib/string.h"

static struct mem_region guest_map[GUEST_MAX_SEGMENTS];
static struct mem_segment segments[GUEST_MAX_SEGMENTS];
/* The modules where the guest finds them: staged out of the way of its segments. */
static struct boot_module modules[BOOT_MAX_MODULES];
static struct phys_range staging;

/*
 * GRUB puts modules low, where kernels are linked (it put a 2.5 MB kernel
 * at 1.3 MiB, under its own 2 MiB load address). So every module is copied,
 * page-aligned, as high as guest RAM allows before the kernel is loaded,
 * in whichever free range fits; the guest is told the new addresses.
 * Below 2 GiB, the strictest of the protocols' limits: multiboot module
 * fields are 32 bits and Linux wants its initrd below initrd_addr_max
 * (0x7fffffff). Never over the boot information or a module not yet
 * copied, nor in the first MiB (the boot area, the AP trampoline).
 */
#define STAGING_LIMIT 0x80000000ULL
#define STAGING_FLOOR 0x100000ULL

static void stage_modules(const struct boot_info *boot, const struct guest_memory *mem)
{
	struct phys_range avoid[BOOT_MAX_MODULES + 1];
	u64 total = 0, at;
	int n = 0;

	avoid[n++] = (struct phys_range){ boot->info_start, boot->info_end };
	for (int i = 0; i < boot->nr_modules; i++) {
		total += ALIGN_UP(boot->modules[i].end - boot->modules[i].start, PAGE_SIZE);
		avoid[n++] = (struct phys_range){ boot->modules[i].start, boot->modules[i].end };
	}
	at = guest_memory_find_free(mem, avoid, n, total, STAGING_FLOOR, STAGING_LIMIT);
	if (!at)
		hv_fail(HV_STATUS_BAD_INPUT,
			"no free RAM below 0x%llx to stage %llu KiB of modules", STAGING_LIMIT,
			(unsigned long long)(total >> 10));
	staging = (struct phys_range){ at, at + total };
	for (int i = 0; i < boot->nr_modules; i++) {
		u64 len = boot->modules[i].end - boot->modules[i].start;
		modules[i] = boot->modules[i];
		memmove(phys_to_virt(at), phys_to_virt(boot->modules[i].start), len);
		modules[i].start = at;
		modules[i].end = at + len;
		at += ALIGN_UP(len, PAGE_SIZE);
	}
}

static u64 address_space_top(const struct boot_info *boot)
{
	u64 top = SIZE_4G;
	for (int i = 0; i < boot->nr_regions; i++)
		if (boot->regions[i].type == MB2_MEMORY_AVAILABLE)
			top = MAX(top,
				  ALIGN_UP(boot->regions[i].base + boot->regions[i].len, SIZE_2M));
	return top;
}

static void build_ept(struct guest_memory *mem)
{
	int n = guest_memory_partition(mem->regions, mem->nr_regions, mem->hidden, mem->nr_hidden,
				       mem->top, segments, GUEST_MAX_SEGMENTS);

	if (n < 0)
		hv_fail(HV_STATUS_BAD_INPUT, "memory map too fragmented for EPT");
	if (!ept_init(&vcpu.ept))
		hv_fail(HV_STATUS_HV_FAULT, "out of memory for EPT");
	for (int i = 0; i < n; i++) {
		const struct mem_segment *s = &segments[i];
		pr_debug("ept: %016llx-%016llx %s", (unsigned long long)s->start,
			 (unsigned long long)s->end,
			 s->kind == SEG_HIDDEN ? "hidden"
			 : s->kind == SEG_RAM  ? "RAM WB"
					       : "MMIO UC");
		if (s->kind == SEG_HIDDEN)
			continue;
		if (!ept_map_identity(&vcpu.ept, s->start, s->end,
				      s->kind == SEG_RAM ? EPT_MT_WB : EPT_MT_UC))
			hv_fail(HV_STATUS_HV_FAULT, "out of memory for EPT tables");
	}
}

static void load_kernel(struct guest_memory *mem, struct guest_image *image)
{
	const struct boot_module *m = &modules[0];
	struct phys_range forbidden[2];
	struct load_policy policy = { mem->regions,   mem->nr_regions, mem->hidden,
				      mem->nr_hidden, forbidden,       0 };
	char err[200];

	forbidden[policy.nr_forbidden++] = staging;
	forbidden[policy.nr_forbidden++] =
		(struct phys_range){ GUEST_BOOT_AREA_START, GUEST_BOOT_AREA_END };
	if (bzimage_detect(phys_to_virt(m->start), m->end - m->start)) {
		if (!bzimage_load(phys_to_virt(m->start), m->end - m->start, &policy, image, err,
				  sizeof(err)))
			hv_fail(HV_STATUS_BAD_INPUT, "guest module '%s': %s", m->cmdline, err);
	} else if (!guest_load(phys_to_virt(m->start), m->end - m->start, &policy, image, err,
			       sizeof(err))) {
		hv_fail(HV_STATUS_BAD_INPUT, "guest module '%s': %s", m->cmdline, err);
	}
	pr_info("guest: %s kernel at 0x%llx-0x%llx, entry 0x%llx, command line '%s'",
		boot_protocol_name(image->protocol), (unsigned long long)image->load_start,
		(unsigned long long)image->load_end, (unsigned long long)image->entry, m->cmdline);
}

/*
 * One vCPU: the firmware's MADT lists the other processors, which the
 * guest would try to start and then wait for (Linux: 10 s each). They are
 * marked disabled; their INIT and SIPI would reach nobody anyway
 * (hv/cpu/smp.c).
 */
static void show_one_processor(const struct boot_info *boot)
{
	u32 own_apic_id = cpuid(1).ebx >> 24;
	int n = acpi_hide_other_processors(boot->rsdp, boot->rsdp_len, own_apic_id);

	if (n > 0)
		pr_info("guest: %d other processor%s marked disabled in the ACPI MADT", n,
			n == 1 ? "" : "s");
}

void guest_setup(const struct boot_info *boot, struct phys_range image_range,
		 struct phys_range pool)
{
	struct guest_memory *mem = &vcpu.mem;
	struct guest_image image;
	struct guest_view view;
	struct guest_boot gb;
	struct intercept_caps caps;
	char err[200];
	int nr_map;

	mem->regions = boot->regions;
	mem->nr_regions = boot->nr_regions;
	mem->hidden[0] = image_range;
	mem->hidden[1] = pool;
	mem->nr_hidden = 2;
	mem->top = address_space_top(boot);

	nr_map = guest_memory_map(boot->regions, boot->nr_regions, mem->hidden, mem->nr_hidden,
				  guest_map, GUEST_MAX_SEGMENTS);
	if (nr_map < 0)
		hv_fail(HV_STATUS_BAD_INPUT, "memory map too fragmented for the guest");
	if (!guest_memory_is_ram(mem->regions, mem->nr_regions, mem->hidden, mem->nr_hidden,
				 GUEST_BOOT_AREA_START, GUEST_BOOT_AREA_END))
		hv_fail(HV_STATUS_BAD_INPUT, "guest boot area 0x%llx-0x%llx is not available RAM",
			GUEST_BOOT_AREA_START, GUEST_BOOT_AREA_END);
	stage_modules(boot, mem);
	load_kernel(mem, &image);
	/* One view of the machine for every protocol: only its rendering differs. */
	view = (struct guest_view){ modules[0].cmdline, modules + 1, boot->nr_modules - 1,
				    guest_map,		nr_map,	     boot->rsdp,
				    boot->rsdp_len };
	if (!guest_boot_info_build(&image, &view, &gb, err, sizeof(err)))
		hv_fail(HV_STATUS_BAD_INPUT, "%s", err);
	build_ept(mem);
	show_one_processor(boot);
	vcpu_create(&image, &gb);
	intercept_caps_read(&caps);
	intercepts_setup(&caps);
	tsc_init_guest();
}
