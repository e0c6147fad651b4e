/*
 * VMX instructions and capability reporting. Every wrapper checks for
 * VMfailInvalid (CF=1) and VMfailValid (ZF=1) and, on failure, stops with
 * the field, the value and the named VM-instruction error. The _safe
 * variants return the error instead, for the few places that expect one.
 * Intel SDM Vol. 3C, "VMX Instruction Reference" and "VM Instruction
 * Error Numbers".
 */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H

#include "arch/x86/vmcs.h"

/* IA32_VMX_BASIC. SDM Vol. 3D, Appendix A "Basic VMX Information". */
#define VMX_BASIC_REVISION_MASK 0x7fffffffULL
#define VMX_BASIC_REGION_SIZE(b) (((b) >> 32) & 0x1fff)
#define VMX_BASIC_MEM_TYPE(b) (((b) >> 50) & 0xf)
#define VMX_BASIC_TRUE_CTLS BIT(55)
#define VMX_MEMTYPE_WB 6

/* IA32_VMX_MISC. SDM Vol. 3D, "Miscellaneous Data". */
#define VMX_MISC_PREEMPTION_TIMER_RATE(m) ((m)&0x1f)
#define VMX_MISC_MAX_MSR_LIST(m) (512 * (1 + (((m) >> 25) & 0x7)))
#define VMX_MISC_ACTIVITY_HLT BIT(6) /* VM entry may put the guest in the HLT state */

/* IA32_VMX_EPT_VPID_CAP. */
#define VMX_EPT_PAGE_WALK_4 BIT(6)
#define VMX_EPT_MEMTYPE_UC BIT(8)
#define VMX_EPT_MEMTYPE_WB BIT(14)
#define VMX_EPT_2MB_PAGE BIT(16)
#define VMX_EPT_INVEPT BIT(20)
#define VMX_EPT_INVEPT_SINGLE_CONTEXT BIT(25)
#define VMX_EPT_INVEPT_ALL_CONTEXT BIT(26)

/* Result of a VMX instruction: 0 success, VMX_FAIL_INVALID, or an error number. */
#define VMX_OK 0
#define VMX_FAIL_INVALID (-1)

const char *vmx_instruction_error_name(int error);

/*
 * Compute a VMX control word. cap is the capability MSR: bits 31:0 are the
 * allowed 0-settings (a 1 there means the control must be 1), bits 63:32
 * the allowed 1-settings. required bits must be supported, optional ones
 * are taken where supported. Returns false with the unsupported required
 * bits in *missing. SDM Vol. 3D, "VMX Capability Reporting Facility".
 */
bool vmx_adjust_controls(u64 cap, u32 required, u32 optional, u32 *out, u32 *missing);

/* INVEPT types. SDM Vol. 3C, "INVEPT - Invalidate Translations Derived from EPT". */
#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXT 2

#ifdef HOST_MODEL
int invept_safe(u64 type, u64 eptp);
int vmxon_safe(u64 phys);
int vmclear_safe(u64 phys);
int vmptrld_safe(u64 phys);
int vmread_safe(enum vmcs_field field, u64 *value);
int vmwrite_safe(enum vmcs_field field, u64 value);
void vmxoff(void);
#else
/* CF=1: VMfailInvalid; ZF=1: VMfailValid, error number in the VMCS. */
#define VMX_CHECK_FLAGS "setna %[fail]\n\tsetz %[valid]"

static inline int vmx_result(u8 fail, u8 valid_fail);

static inline int vmxon_safe(u64 phys)
{
	u8 fail, valid;
	asm volatile("vmxon %[pa]\n\t" VMX_CHECK_FLAGS
		     : [fail] "=qm"(fail), [valid] "=qm"(valid)
		     : [pa] "m"(phys)
		     : "cc", "memory");
	return vmx_result(fail, valid);
}

static inline int vmclear_safe(u64 phys)
{
	u8 fail, valid;
	asm volatile("vmclear %[pa]\n\t" VMX_CHECK_FLAGS
		     : [fail] "=qm"(fail), [valid] "=qm"(valid)
		     : [pa] "m"(phys)
		     : "cc", "memory");
	return vmx_result(fail, valid);
}

static inline int vmptrld_safe(u64 phys)
{
	u8 fail, valid;
	asm volatile("vmptrld %[pa]\n\t" VMX_CHECK_FLAGS
		     : [fail] "=qm"(fail), [valid] "=qm"(valid)
		     : [pa] "m"(phys)
		     : "cc", "memory");
	return vmx_result(fail, valid);
}

static inline int invept_safe(u64 type, u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = { eptp, 0 };
	u8 fail, valid;

	asm volatile("invept %[desc], %[type]\n\t" VMX_CHECK_FLAGS
		     : [fail] "=qm"(fail), [valid] "=qm"(valid)
		     : [desc] "m"(desc), [type] "r"(type)
		     : "cc", "memory");
	return vmx_result(fail, valid);
}

static inline int vmread_safe(enum vmcs_field field, u64 *value)
{
	u8 fail, valid;
	asm volatile("vmread %[f], %[v]\n\t" VMX_CHECK_FLAGS
		     : [fail] "=qm"(fail), [valid] "=qm"(valid), [v] "=rm"(*value)
		     : [f] "r"((u64)field)
		     : "cc");
	return vmx_result(fail, valid);
}

static inline int vmwrite_safe(enum vmcs_field field, u64 value)
{
	u8 fail, valid;
	asm volatile("vmwrite %[v], %[f]\n\t" VMX_CHECK_FLAGS
		     : [fail] "=qm"(fail), [valid] "=qm"(valid)
		     : [f] "r"((u64)field), [v] "rm"(value)
		     : "cc");
	return vmx_result(fail, valid);
}

static inline void vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}
#endif

/*
 * setna is 1 for CF=1 or ZF=1; setz separates them. The VM-instruction
 * error is read only for VMfailValid.
 */
int vmx_read_instruction_error(void);

static inline int vmx_result(u8 fail, u8 valid_fail)
{
	if (!fail)
		return VMX_OK;
	return valid_fail ? vmx_read_instruction_error() : VMX_FAIL_INVALID;
}

void vmx_check(int result, const char *insn, u64 operand);

/*
 * The checked forms: on failure, print the named error and end the run.
 * They are on every exit path, so on hardware they are inline: the
 * instruction, one branch on CF or ZF, and the report out of line. The
 * report tells VMfailInvalid from VMfailValid by reading the
 * VM-instruction error, which only a current VMCS has.
 */
__attribute__((noreturn, cold)) void vmx_vmread_failed(enum vmcs_field field);
__attribute__((noreturn, cold)) void vmx_vmwrite_failed(enum vmcs_field field, u64 value);

#ifdef HOST_MODEL
u64 vmread(enum vmcs_field field);
void vmwrite(enum vmcs_field field, u64 value);
#else
static inline u64 vmread(enum vmcs_field field)
{
	u64 value;
	bool failed;

	asm volatile("vmread %[f], %[v]"
		     : [v] "=rm"(value), "=@ccbe"(failed)
		     : [f] "r"((u64)field)
		     : "cc");
	if (__builtin_expect(failed, 0))
		vmx_vmread_failed(field);
	return value;
}

static inline void vmwrite(enum vmcs_field field, u64 value)
{
	bool failed;

	asm volatile("vmwrite %[v], %[f]"
		     : "=@ccbe"(failed)
		     : [f] "r"((u64)field), [v] "rm"(value)
		     : "cc");
	if (__builtin_expect(failed, 0))
		vmx_vmwrite_failed(field, value);
}
#endif

#endif
