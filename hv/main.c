/*
 * pmuvisor: from the boot stub to the guest. Boot flow: early log buffer,
 * descriptor tables, boot information and the machine (hv/base/machine.h),
 * options, the console (hv/console.h), frame allocator, platform report,
 * VMX, the guest runs (hv/run/runs.c), each with its report, the end of the
 * run on_end= chooses.
 */
#include "hv/run/runs.h"
#include "hv/exit/power.h"
#include "arch/x86/frame.h"
#include "hv/console.h"
#include "hv/base/log.h"
#include "hv/base/machine.h"
#include "hv/boot/multiboot2.h"
#include "hv/run/options.h"
#include "hv/base/platform_info.h"
#include "hv/pmu/pmu.h"
#include "hv/base/status.h"
#include "hv/cpu/vcpu.h"
#include "hv/cpu/smp.h"
#include "hv/cpu/vmx_enable.h"
#include "arch/x86/desc.h"
#include "arch/x86/paging.h"

/*
 * All hypervisor allocations come from one pool, hidden from the guest,
 * around the image, which the loader put as high in RAM below 4 GiB as it
 * could (boot/multiboot2.S): the image and the pool are one block at the
 * top of the guest's RAM, which stays one range from 1 MiB up. Below 4
 * GiB because boot/entry.S maps only that far, and the page tables that
 * map the rest come from the pool. Where the image's neighbours are not
 * free (a module beside it), the pool goes to the top of the highest free
 * RAM below 4 GiB instead.
 */
#define HV_POOL_SIZE (16ULL << 20)

extern char __hv_start[], __hv_end[];

static struct boot_info boot;
static struct phys_range hv_image, hv_pool;

static void load_boot_info(u32 magic, u64 info_phys)
{
	char err[160];

	bool ok = mb2_parse(magic, info_phys, phys_to_virt(info_phys), &boot, err, sizeof(err));

	if (!boot.rsdp_len)
		acpi_find_rsdp_in_bios(&boot);
	/* How the run ends depends on the machine: known before anything can fail. */
	machine_identify(&boot);
	if (!ok)
		hv_fail(HV_STATUS_BAD_INPUT, "multiboot2: %s", err);
}

static void load_options(void)
{
	char err[160];

	options_set_defaults(&hv_opts);
	if (!options_parse(boot.cmdline, &hv_opts, err, sizeof(err))) {
		console_start(NULL, &boot, NULL, 0);
		hv_fail(HV_STATUS_BAD_INPUT, "command line: %s", err);
	}
	log_set_level((enum log_level)hv_opts.loglevel);
	/* The console: the output so far waited for the command line and the ACPI tables. */
	if (!console_start(&hv_opts, &boot, err, sizeof(err)))
		hv_fail(HV_STATUS_BAD_INPUT, "%s", err);
	if (!machine_set_end(hv_opts.on_end, err, sizeof(err)))
		hv_fail(HV_STATUS_UNSUPPORTED, "%s", err);
	/* pmu=help: the strategies, one per line, and the run ends with status 0. */
	if (hv_opts.help) {
		pmu_print_strategies();
		hv_exit(HV_STATUS_OK);
	}
}

static void print_memory_map(void)
{
	pr_info("memory map (%d entries):", boot.nr_regions);
	for (int i = 0; i < boot.nr_regions; i++) {
		const struct mem_region *r = &boot.regions[i];
		pr_info("  %016llx-%016llx %s", (unsigned long long)r->base,
			(unsigned long long)(r->base + r->len - 1), mb2_memory_type_name(r->type));
	}
}

static u64 top_of_ram(void)
{
	u64 top = 0;
	for (int i = 0; i < boot.nr_regions; i++)
		if (boot.regions[i].type == MB2_MEMORY_AVAILABLE)
			top = MAX(top, boot.regions[i].base + boot.regions[i].len);
	return top;
}

static void init_memory(void)
{
	struct phys_range reserved[2 + BOOT_MAX_MODULES];
	u64 top = top_of_ram();
	u64 pool_size =
		HV_POOL_SIZE + runs_memory_needed(&boot) + paging_frames_needed(top) * PAGE_SIZE;
	int n = 0;

	hv_image = (struct phys_range){ virt_to_phys(__hv_start), virt_to_phys(__hv_end) };
	if (boot.load_base && boot.load_base != hv_image.start)
		hv_fail(HV_STATUS_BAD_INPUT,
			"loader reports load base 0x%llx, image runs at 0x%llx",
			(unsigned long long)boot.load_base, (unsigned long long)hv_image.start);
	reserved[n++] = hv_image;
	reserved[n++] = (struct phys_range){ boot.info_start, boot.info_end };
	for (int i = 0; i < boot.nr_modules; i++)
		reserved[n++] = (struct phys_range){ boot.modules[i].start, boot.modules[i].end };
	if (!frame_init(boot.regions, boot.nr_regions, reserved, n))
		hv_fail(HV_STATUS_BAD_INPUT, "memory map has too many holes (more than %d ranges)",
			FRAME_MAX_RANGES);
	if ((!frame_reserve_pool_around(pool_size, hv_image, &hv_pool) || hv_pool.end > SIZE_4G) &&
	    !frame_reserve_pool(pool_size, SIZE_4G, &hv_pool))
		hv_fail(HV_STATUS_BAD_INPUT,
			"no free RAM range of %llu MiB below 4 GiB for the hypervisor",
			(unsigned long long)(pool_size >> 20));
	if (!paging_map_identity_above_4g(top))
		hv_fail(HV_STATUS_UNSUPPORTED, "cannot map RAM up to 0x%llx",
			(unsigned long long)top);
	pr_info("hypervisor memory: image 0x%llx-0x%llx, pool 0x%llx-0x%llx",
		(unsigned long long)hv_image.start, (unsigned long long)hv_image.end,
		(unsigned long long)hv_pool.start, (unsigned long long)hv_pool.end);
}

static void print_modules(void)
{
	for (int i = 0; i < boot.nr_modules; i++)
		pr_info("module %d: %08llx-%08llx '%s'", i,
			(unsigned long long)boot.modules[i].start,
			(unsigned long long)boot.modules[i].end, boot.modules[i].cmdline);
}

void hv_main(u32 magic, u32 info_phys);

void hv_main(u32 magic, u32 info_phys)
{
	char opts[512];

	log_init();
	gdt_init();
	idt_init();
	pr_info("starting");
	load_boot_info(magic, info_phys);
	load_options();
	options_format(&hv_opts, opts, sizeof(opts));
	pr_info("options: %s", opts);
	machine_report();
	print_memory_map();
	init_memory();
	print_modules();
	platform_report();
	platform_require_vmx();
	if (boot.nr_modules == 0)
		hv_fail(HV_STATUS_BAD_INPUT, "no guest module: add 'module2 /path/guest.elf "
					     "[args]' after the multiboot2 line");
	power_init(&boot);
	vmx_enable();
	smp_park_application_processors(&boot);
	runs_start(&boot, hv_image, hv_pool);
}
