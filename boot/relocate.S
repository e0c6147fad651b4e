/*
 * The image's own relocations, applied once it runs in 64-bit mode and
 * before any C code. The image is linked as a static position-independent
 * executable at HV_LINK_ADDR; every absolute address in it (pointer
 * tables, the IDT's handler list, exception fixups) is listed by the
 * linker as an R_X86_64_RELATIVE entry (System V ABI x86-64 supplement,
 * "Relocation Types": the value is B + A, B the distance the image moved).
 * The build checks that there is no other kind (Makefile).
 */
#define R_X86_64_RELATIVE 8
#define RELA_SIZE 24                    /* Elf64_Rela: r_offset, r_info, r_addend */

	.text
	.global relocate_image
relocate_image:
	lea __hv_start(%rip), %rdx
	mov $HV_LINK_ADDR, %rax
	sub %rax, %rdx                  /* B: 0 where the loader kept the link address */
	jz 2f
	lea __rela_start(%rip), %rsi
	lea __rela_end(%rip), %rdi
1:	cmp %rdi, %rsi
	jae 2f
	mov (%rsi), %rcx                /* r_offset: where, at the link address */
	mov 16(%rsi), %rax              /* r_addend: what, at the link address */
	add %rdx, %rax
	mov %rax, (%rcx, %rdx)
	add $RELA_SIZE, %rsi
	jmp 1b
2:	ret
