#!/usr/bin/env python3
"""Make the linked hypervisor image loadable by GRUB's multiboot2 loader.

   boot/relocs.py IMAGE

The image is a static position-independent executable that applies its own
relocations (boot/relocate.S), which must all be R_X86_64_RELATIVE. GRUB
2.06 refuses a multiboot2 ELF image with any section of type SHT_REL or
SHT_RELA ("ELF files with relocs are not supported yet"), so the one
relocation table, .rela.dyn, is checked and retyped as SHT_PROGBITS in
place: its bytes, and the symbols that bound it, stay as they are.
"""
import struct
import sys

SHT_PROGBITS, SHT_RELA, SHT_REL = 1, 4, 9
SHF_ALLOC = 2
R_X86_64_RELATIVE = 8
SHDR = struct.Struct("<IIQQQQIIQQ")  # Elf64_Shdr
RELA = struct.Struct("<QQq")  # Elf64_Rela


def fail(msg):
    sys.exit(f"relocs.py: {msg}")


def main(path):
    with open(path, "r+b") as f:
        elf = bytearray(f.read())
        if elf[:4] != b"\x7fELF" or elf[4] != 2:
            fail(f"{path} is not an ELF64 image")
        shoff, = struct.unpack_from("<Q", elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
        shdrs = [list(SHDR.unpack_from(elf, shoff + i * shentsize)) for i in range(shnum)]
        strtab_off = shdrs[shstrndx][4]

        def name(sh):
            end = elf.index(b"\0", strtab_off + sh[0])
            return elf[strtab_off + sh[0]:end].decode()

        found = False
        for i, sh in enumerate(shdrs):
            if sh[1] not in (SHT_REL, SHT_RELA):
                continue
            if name(sh) != ".rela.dyn" or sh[1] != SHT_RELA or not sh[2] & SHF_ALLOC:
                fail(f"unexpected relocation section {name(sh)} in {path}")
            for off in range(sh[4], sh[4] + sh[5], RELA.size):
                r_offset, r_info, _ = RELA.unpack_from(elf, off)
                if r_info & 0xFFFFFFFF != R_X86_64_RELATIVE:
                    fail(f"relocation of type {r_info & 0xFFFFFFFF} at 0x{r_offset:x}: "
                         "only R_X86_64_RELATIVE is applied at boot")
            sh[1], sh[6], sh[7] = SHT_PROGBITS, 0, 0
            SHDR.pack_into(elf, shoff + i * shentsize, *sh)
            found = True
        if not found:
            fail(f"{path} has no .rela.dyn: not linked as a position-independent executable")
        f.seek(0)
        f.write(elf)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: boot/relocs.py IMAGE")
    main(sys.argv[1])
