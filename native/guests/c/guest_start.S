/* Start stub of the compiled C guests (boot VCPU, long mode, identity-mapped RAM):
 * RSP = 8 MiB, RDI = zx4j_n, call work; the 64-bit result leaves through two 32-bit OUTs
 * (low half to port 0xF0, then high half to port 0xF1), then HLT. zx4j_n defaults to ZX4J_N
 * and may be overwritten by the VMM before the run (its address is in the .sym file). */
        .text
        .code64
        .globl _start, zx4j_n, zx4j_done
_start:
        mov $0x800000, %rsp
        mov zx4j_n(%rip), %rdi
        call work
        out %eax, $0xf0
        shr $32, %rax
        out %eax, $0xf1
zx4j_done:
        hlt
        jmp zx4j_done

        .data
        .balign 8
zx4j_n: .quad ZX4J_N

        .section .note.GNU-stack,"",@progbits
