/*
 * The options in force: what the hypervisor command line chose (parsed by
 * hv/run/options.c), for every part of the hypervisor to read. During runs=,
 * those of the current run (hv/run/runs.c).
 */
#ifndef HV_BASE_OPTIONS_H
#define HV_BASE_OPTIONS_H

#include "lib/types.h"

/*
 * runs=CONFIG/CONFIG/... runs the guest once per configuration, each
 * CONFIG being key:value pairs joined by '+' that override the rest of
 * the command line for that run (pmu:switch+global_ctrl:vmcs); repeat=N
 * runs the whole list N times. '/', '+' and ':' need no quoting in GRUB.
 */
#define OPTIONS_RUNS_MAX 32
#define OPTIONS_RUNS_MAX_TEXT 480
#define OPTIONS_REPEAT_MAX 16

/*
 * console=: where the hypervisor's lines go. auto (the default): the UART
 * the ACPI SPCR table names where it names a 16550, else COM1 if one
 * answers, else none; com1, com2, 0xPORT (a 16550 at that I/O port),
 * mmio:ADDR or mmio32:ADDR (a memory-mapped 16550 below 4 GiB with byte
 * registers, or 32-bit registers 4 bytes apart). A UART named here that
 * does not answer ends the boot with HV_STATUS_BAD_INPUT.
 */
enum console_kind { CONSOLE_AUTO, CONSOLE_IO, CONSOLE_MMIO, CONSOLE_MMIO32 };

/*
 * on_end=: how the machine ends once the run is over. auto (the default):
 * the emulator's exit port on QEMU and Bochs, halt on anything else; halt,
 * reboot (the FADT reset register, else port 0xcf9, else the keyboard
 * controller), poweroff (ACPI S5).
 */
enum on_end { ON_END_AUTO, ON_END_HALT, ON_END_REBOOT, ON_END_POWEROFF };

struct hv_options {
	u64 loglevel;	      /* 0 errors .. 3 debug */
	u64 guest_limit;      /* end the guest after this many TSC ticks (0: never) */
	u64 pmu;	      /* index in pmu_strategies[] (hv/pmu/pmu.h) */
	u64 global_ctrl;      /* enum global_ctrl_mode */
	u64 pmu_read;	      /* enum pmu_read_method */
	u64 pmu_host;	      /* enum pmu_host_counters: the counters pmu=partition keeps */
	u64 pmu_gp;	      /* GP counters for the guest (PMU_GP_ALL: all) */
	u64 pmu_lazy;	      /* lazy: bit r set = switch on exit reason r */
	u64 pmu_lazy_every;   /* lazy: also switch on every Nth exit (0: never) */
	u64 bench_primitives; /* measure PMU/VMX primitives at boot */
	const char *help;     /* KEY=help was given: list KEY's choices and stop (NULL: not) */
	u64 stats;	      /* enum stats_level (hv/exit/stats.h) */
	u64 repeat;	      /* runs=: how many times the list runs */
	u64 on_end;	      /* enum on_end */
	u64 console;	      /* enum console_kind */
	u64 console_base;     /* console=: the I/O port or physical address (0: auto) */
	char runs[OPTIONS_RUNS_MAX_TEXT]; /* runs=, validated; "" for one run as given */
	/* pmu= was given (in runs=, for that run): the CPU may not overrule it. u64: no padding. */
	u64 pmu_given;
};

#define PMU_GP_ALL 255

extern struct hv_options hv_opts;

#endif
