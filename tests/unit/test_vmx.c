/*
 * arch/x86/vmx.c, vmx_bitmap.c: control words from capability MSRs, the
 * MSR and I/O bitmaps' layout, and the names the logs print.
 */
#include <string.h>

#include "tests/unit/unit.h"
#include "tests/model/vmcs_model.h"
#include "arch/x86/vmx_bitmap.h"

TEST(vmx_controls_take_must_be_one_bits_and_optional_bits_where_allowed)
{
	/* allowed-0 (must be 1): bits 1,2; allowed-1: bits 1,2,4,5,7 */
	u64 cap = ((u64)0xb6 << 32) | 0x06;
	u32 out = 0, missing = 0xdead;

	CHECK(vmx_adjust_controls(cap, 0x10, 0x20 | 0x40, &out, &missing));
	CHECK_EQ_U64(out, 0x06 | 0x10 | 0x20); /* 0x40 not allowed: dropped */
	CHECK_EQ_U64(missing, 0);
}

TEST(vmx_controls_name_missing_required_bits)
{
	u64 cap = ((u64)0x0f << 32) | 0x01;
	u32 out, missing;

	CHECK(!vmx_adjust_controls(cap, 0x12, 0, &out, &missing));
	CHECK_EQ_U64(missing, 0x10);
}

TEST(vmx_instruction_error_names)
{
	CHECK_STR(vmx_instruction_error_name(7), "VM entry with invalid control field(s)");
	CHECK_STR(vmx_instruction_error_name(VMX_FAIL_INVALID), "VMfailInvalid (no current VMCS)");
	CHECK_STR(vmx_instruction_error_name(14), "unknown VM-instruction error");
	CHECK_STR(vmx_instruction_error_name(99), "unknown VM-instruction error");
}

TEST(vmx_exit_reason_names)
{
	CHECK_STR(exit_reason_name(EXIT_REASON_CPUID), "CPUID");
	CHECK_STR(exit_reason_name(EXIT_REASON_EPT_VIOLATION), "EPT_VIOLATION");
	CHECK_STR(exit_reason_name(35), "UNKNOWN");
	CHECK_STR(exit_reason_name(70000), "UNKNOWN");
}

TEST(vmx_read_and_write_go_through_the_vmcs)
{
	model_vmcs_reset();
	vmwrite(GUEST_RIP, 0x1234);
	CHECK_EQ_U64(vmread(GUEST_RIP), 0x1234);
}

TEST(msr_bitmap_layout_follows_the_sdm)
{
	static u8 bm[4096];

	memset(bm, 0, sizeof(bm));
	msr_bitmap_intercept(bm, 0x38f, MSR_INTERCEPT_WRITE);
	CHECK_EQ_U64(bm[2048 + 0x38f / 8], 1u << (0x38f % 8));
	CHECK_EQ_U64(bm[0x38f / 8], 0);
	msr_bitmap_intercept(bm, 0xc0000080, MSR_INTERCEPT_READ);
	CHECK_EQ_U64(bm[1024 + 0x80 / 8], 1);
	CHECK(msr_bitmap_intercepts(bm, 0xc0000080, MSR_INTERCEPT_READ));
	CHECK(!msr_bitmap_intercepts(bm, 0xc0000080, MSR_INTERCEPT_WRITE));
	/* MSRs outside both ranges always exit. */
	CHECK(msr_bitmap_intercepts(bm, 0x40000000, MSR_INTERCEPT_READ));
	msr_bitmap_pass(bm, 0x38f, MSR_INTERCEPT_RW);
	CHECK(!msr_bitmap_intercepts(bm, 0x38f, MSR_INTERCEPT_WRITE));
}

TEST(io_bitmap_covers_each_port_of_an_access)
{
	static u8 a[4096], b[4096];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	io_bitmap_intercept(a, b, 0xf4, 4);
	CHECK_EQ_U64(a[0xf4 / 8], 0xf0);
	io_bitmap_intercept(a, b, 0x7fff, 2);
	CHECK_EQ_U64(a[0x7fff / 8], 0x80);
	CHECK_EQ_U64(b[0], 0x01);
}
