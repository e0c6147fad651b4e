/*
 * MOV to CR0/CR4 changing a bit the hypervisor owns: CR0.NE and CR4.VMXE,
 * which VMX operation needs set (IA32_VMX_CRx_FIXED0), and CR0.CD/NW,
 * which VM entry does not load (SDM Vol. 3C, "Loading Guest Control
 * Registers, Debug Registers, and MSRs": "NW (bit 29) and CD (bit 30) ...
 * are never modified on VM entry"). The write is checked as the CPU would
 * (#GP), its value goes to the read shadow, and the real registers get
 * what VMX operation needs. Exit qualification per SDM Vol. 3C, "Exit
 * Qualification for Control-Register Accesses".
 */
#include "hv/exit/cr.h"
#include "hv/cpu/vcpu.h"
#include "hv/base/status.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/cr.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmx.h"

#define CR_QUAL_NUMBER(q) ((q)&0xf)
#define CR_QUAL_ACCESS(q) (((q) >> 4) & 3)
#define CR_QUAL_GPR(q) (((q) >> 8) & 0xf)
#define CR_ACCESS_MOV_TO 0
#define CR_GPR_RSP 4
#define PAE_CR3_MASK 0xffffffe0ULL
#define PDPTE_P BIT(0)
#define PDPTE_RESERVED_LOW 0x1e6ULL /* bits 2:1 and 8:5 */
/* Changing one of these with PAE paging in use reloads the PDPTEs. SDM Vol. 3A, "PDPTE Registers". */
#define CR0_PDPTE_RELOAD (X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)
#define CR4_PDPTE_RELOAD (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE | X86_CR4_SMEP)

/* What the guest reads: owned bits from the shadow, the rest from the register. */
static u64 guest_view(enum vmcs_field reg, enum vmcs_field shadow, enum vmcs_field mask)
{
	u64 m = vmread(mask);
	return (vmread(reg) & ~m) | (vmread(shadow) & m);
}

static struct cr_state guest_cr_state(void)
{
	return (struct cr_state){
		.cr0 = guest_view(GUEST_CR0, CR0_READ_SHADOW, CR0_GUEST_HOST_MASK),
		.cr3 = vmread(GUEST_CR3),
		.cr4 = guest_view(GUEST_CR4, CR4_READ_SHADOW, CR4_GUEST_HOST_MASK),
		.efer = vmread(GUEST_IA32_EFER),
		.cs_long = vmread(GUEST_CS_AR_BYTES) & VMX_AR_L,
	};
}

static bool pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LME);
}

/*
 * With EPT, VM entry takes PAE paging's four PDPTEs from the VMCS, so a
 * write that exits loads them as the CPU would: #GP if one that is
 * present sets a reserved bit. SDM Vol. 3C, "Loading Guest State" and
 * Vol. 3A, "PAE Paging".
 */
static bool load_pdptes(u64 cr3)
{
	u64 gpa = cr3 & PAE_CR3_MASK, pdpte[4];
	u64 reserved = PDPTE_RESERVED_LOW | ~((1ULL << cpuid_phys_addr_bits()) - 1);
	const struct guest_memory *m = &vcpu.mem;

	if (!guest_memory_is_ram(m->regions, m->nr_regions, m->hidden, m->nr_hidden, gpa,
				 gpa + sizeof(pdpte)))
		return false;
	for (int i = 0; i < 4; i++) {
		pdpte[i] = ((const u64 *)phys_to_virt(gpa))[i];
		if ((pdpte[i] & PDPTE_P) && (pdpte[i] & reserved))
			return false;
	}
	for (int i = 0; i < 4; i++)
		vmwrite(GUEST_PDPTR0 + 2 * i, pdpte[i]);
	return true;
}

/* Paging toggled by an exit: LMA and the IA-32e entry control follow. SDM Vol. 3C, "Unrestricted Guests". */
static void update_long_mode(u64 cr0)
{
	u64 efer = vmread(GUEST_IA32_EFER);
	u64 entry = vmread(VM_ENTRY_CONTROLS);

	if ((cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= VM_ENTRY_IA32E_MODE;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~(u64)VM_ENTRY_IA32E_MODE;
	}
	vmwrite(GUEST_IA32_EFER, efer);
	vmwrite(VM_ENTRY_CONTROLS, entry);
}

/* VM entry leaves CD and NW alone: the guest's values go to the processor here. */
static void set_cache_control(u64 cr0)
{
	u64 now = read_cr0(),
	    want = (now & ~(X86_CR0_CD | X86_CR0_NW)) | (cr0 & (X86_CR0_CD | X86_CR0_NW));

	if (want != now)
		write_cr0(want);
}

static bool write_guest_cr0(const struct cr_state *s, u64 value)
{
	u64 cr0 = cr0_normalize(value);

	if (cr0_write_faults(s, value))
		return false;
	if (pae_paging(cr0, s->cr4, s->efer) && ((cr0 ^ s->cr0) & CR0_PDPTE_RELOAD) &&
	    !load_pdptes(s->cr3))
		return false;
	set_cache_control(cr0);
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(GUEST_CR0, cr0 | vcpu_cr0_forced_bits());
	update_long_mode(cr0);
	return true;
}

/* CR4.VMXE stays reserved to the guest: CPUID shows it no VMX. */
static bool write_guest_cr4(const struct cr_state *s, u64 cr4)
{
	u64 allowed = rdmsr(MSR_IA32_VMX_CR4_FIXED1) & ~(u64)X86_CR4_VMXE;

	if (cr4_write_faults(s, cr4, allowed))
		return false;
	if (pae_paging(s->cr0, cr4, s->efer) && ((cr4 ^ s->cr4) & CR4_PDPTE_RELOAD) &&
	    !load_pdptes(s->cr3))
		return false;
	vmwrite(CR4_READ_SHADOW, cr4);
	vmwrite(GUEST_CR4, cr4 | rdmsr(MSR_IA32_VMX_CR4_FIXED0));
	return true;
}

bool guest_set_cr3(u64 cr3)
{
	struct cr_state s = guest_cr_state();

	if (pae_paging(s.cr0, s.cr4, s.efer) && !load_pdptes(cr3)) {
		vcpu_inject_gp();
		return false;
	}
	vmwrite(GUEST_CR3, cr3);
	return true;
}

enum exit_action handle_cr_access(void)
{
	u64 q = vcpu_exit_qualification();
	u32 cr = CR_QUAL_NUMBER(q), gpr = CR_QUAL_GPR(q);
	struct cr_state s = guest_cr_state();
	u64 value;
	bool ok;

	if (CR_QUAL_ACCESS(q) != CR_ACCESS_MOV_TO || (cr != 0 && cr != 4))
		return guest_stop(HV_STATUS_HV_FAULT,
				  "unexpected control-register exit, qualification 0x%llx",
				  (unsigned long long)q);
	value = gpr == CR_GPR_RSP ? vmread(GUEST_RSP) : *vcpu_gpr(gpr);
	/* Outside 64-bit mode MOV to CR takes the low 32 bits of the register. */
	if (!((s.efer & EFER_LMA) && s.cs_long))
		value = (u32)value;
	ok = cr == 0 ? write_guest_cr0(&s, value) : write_guest_cr4(&s, value);
	if (!ok) {
		vcpu_inject_gp();
		return EXIT_RESUME;
	}
	return EXIT_SKIP_INSN;
}
