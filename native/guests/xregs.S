/* Extended registers across exits (the kernel's "extended registers" test, SSE part): the
 * guest loads XMM0-15 and MXCSR, exits through OUT 0x10, turns SSE off (CR4.OSFXSR = 0),
 * exits through OUT 0x11, turns SSE back on, checks every XMM register and MXCSR and reports
 * through OUT 0x12: EAX = 1 when all were kept, else 0x100 + the first register that changed
 * (0x110 for MXCSR). Boot VCPU, long mode, identity-mapped RAM. */
        .text
        .code64
        .globl _start
_start:
        lea pattern(%rip), %rax
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        movdqu \n*16(%rax), %xmm\n
        .endr
        ldmxcsr mxcsr_value(%rip)
        out %al, $0x10
        mov %cr4, %rbx
        mov %rbx, %rcx
        and $~0x200, %rbx
        mov %rbx, %cr4
        out %al, $0x11
        mov %rcx, %cr4
        lea pattern(%rip), %rsi
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        movdqu %xmm\n, buf(%rip)
        mov $(0x100 + \n), %eax
        mov buf(%rip), %rdx
        cmp \n*16(%rsi), %rdx
        jne done
        mov buf+8(%rip), %rdx
        cmp \n*16+8(%rsi), %rdx
        jne done
        .endr
        stmxcsr scratch(%rip)
        mov scratch(%rip), %edx
        mov $0x110, %eax
        cmp mxcsr_value(%rip), %edx
        jne done
        mov $1, %eax
done:
        out %eax, $0x12
        hlt
        jmp done

        .data
        .balign 16
pattern:
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        .quad 0x0123456789abcdef + \n * 0x1111, 0xfedcba9876543210 - \n * 0x2222
        .endr
mxcsr_value:
        .long 0x9fc0
scratch:
        .long 0
        .balign 16
buf:
        .quad 0, 0
        .section .note.GNU-stack,"",@progbits
