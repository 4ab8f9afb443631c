# Exits: port I/O, MEM and BELL traps, HLT, unsupported instructions, accesses outside RAM.
# Runs on the boot VCPU with identity page tables (1 GiB page at 0); traps at 0xFFF000 (MEM)
# and 0xFFE000 (BELL) as in the Zircon hypervisor tests.
# zx4j-load-address: 0x2000
        .text
        .code64
        .globl _start, after_out_imm, in32, in8, mem_write, mem_read, bell_write, after_hlt
        .globl unsupported, out_of_ram, bell_read
_start:
        mov $0x1234abcd, %eax
        out %al, $0x11
after_out_imm:
        mov $0x3f8, %dx
        out %ax, %dx
        out %eax, %dx
        mov $-1, %rax
in32:   in $0x12, %eax
        mov %rax, %rbx
        mov $-1, %rax
in8:    in (%dx), %al
        mov %rax, %rcx
mem_write:
        movl $0x77, 0xfff010
mem_read:
        mov 0xfff020, %r8
bell_write:
        movq $5, 0xffe008
        hlt
after_hlt:
        out %al, $0x99
        hlt

unsupported:
        vzeroupper              # AVX: not implemented (and not advertised)
        hlt
out_of_ram:
        mov 0x2000000, %rax
        hlt
bell_read:
        mov 0xffe000, %rax
        hlt

        .globl spin, smc
spin:   jmp spin

smc:    movb $0x22, 1f+1(%rip)  # patch the port of the OUT below, in the same basic block
1:      out %al, $0x21
        hlt
