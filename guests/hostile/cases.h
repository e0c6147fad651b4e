/* hostile's cases: each reproduces one hazard and CHECKs the outcome. */
#ifndef GUESTS_HOSTILE_CASES_H
#define GUESTS_HOSTILE_CASES_H

#include "lib/types.h"

struct hostile_case {
	const char *name;
	const char *what;
	void (*run)(void);
};

/* Terminated by an entry with a NULL name. */
extern const struct hostile_case hostile_cases[];

/* cases_cr.c */
void case_cr0_pg_without_pe(void);
void case_cr0_nw_without_cd(void);
void case_cr0_cd_nw_kept(void);
void case_cr4_reserved_bit(void);
void case_cr4_vmxe(void);
void case_cr4_pcide_cr3_low(void);
void case_efer_lme_pg_without_pae(void);

/* cases_msr.c */
void case_x2apic_icr_in_xapic(void);
void case_apic_base_over_hv(void);
void case_tsc_write_evades_limit(void);
void case_tsc_write_reads_back(void);
void case_tsc_deadline_follows_tsc(void);
void case_vmfunc_msr(void);
void case_feature_control(void);
void case_rdpmc_pmu_off(void);

/* cases_io.c */
void case_io_straddle_exit_port(void);
void case_io_straddle_test_port(void);
void case_io_wrap(void);
void case_string_ins_test_port(void);
void case_string_outs_exit_port(void);

/* cases_cpu.c */
void case_nmi_self_xapic(void);
void case_nmi_self_x2apic(void);
void case_vmcall_cpl3(void);
void case_xsetbv_cpl3(void);
void case_ap_trampoline_cleared(void);
void case_read_above_4g(void);
void case_cpuid_reflects_guest_state(void);
void case_self_init(void);
void case_task_switch(void);

#endif
