/*
 * Which machine the hypervisor runs on, and how a run ends on it.
 *
 * QEMU and Bochs are recognised by their ACPI tables, whose FADT both give
 * the OEM ID "BOCHS " (QEMU builds its own tables in Bochs' style, under
 * SeaBIOS and OVMF alike), told apart by CPUID: QEMU sets the hypervisor
 * bit (CPUID.1:ECX[31]) and names itself at leaf 0x40000000 ("TCGTCGTCGTCG"
 * under TCG, "KVMKVMKVM" under KVM); Bochs sets no hypervisor bit. Anything
 * else is hardware. QEMU's isa-debug-exit device exists only where its
 * command line adds it (scripts/run does): the hypervisor cannot see it
 * and writes port 0xf4 on every QEMU.
 *
 * on_end=auto ends a run on QEMU through isa-debug-exit, on Bochs through
 * its shutdown port, on hardware by halting the CPU: no emulator port is
 * ever written on hardware, where those ports may belong to a device.
 */
#ifndef HV_BASE_MACHINE_H
#define HV_BASE_MACHINE_H

#include "hv/boot/multiboot2.h"
#include "hv/base/options.h"

enum machine_kind { MACHINE_HARDWARE, MACHINE_QEMU, MACHINE_BOCHS };

#define MACHINE_ACPI_OEM_EMULATOR "BOCHS "

/* Read the ACPI tables boot's RSDP leads to, and CPUID. Until then the machine is hardware. */
void machine_identify(const struct boot_info *boot);
enum machine_kind machine_kind(void);
/* One line: the machine and how the run will end. */
void machine_report(void);
/*
 * The end from now on (enum on_end). False with one line in err, the end
 * unchanged, when this machine cannot do it (poweroff without ACPI S5).
 */
bool machine_set_end(u64 on_end, char *err, size_t errlen);
/* Before the status line: one line naming a reboot or power-off about to happen. */
void machine_announce_end(void);
/* End the machine as chosen; where that does not happen, halt. */
__attribute__((noreturn)) void machine_end(u32 status);

#endif
