# Debug registers and single-stepping in ring 0 (see include/kernel.inc).
        .include "kernel.inc"

        .text
        .code64
test_main:
        movq $100, debug_budget
        # TF in ring 0, through MOV SS (the trap waits one instruction)
        pushfq
        orq $0x100, (%rsp)
        popfq
        nop
        mov %ss, %eax
        mov %eax, %ss
        nop
        nop
        pushfq
        andq $~0x100, (%rsp)
        popfq
        # DR0: execution breakpoint (a fault before the instruction)
        lea bp_exec(%rip), %rax
        mov %rax, %dr0
        mov $0x401, %eax                 # L0, R/W0 = 00 (execute), LEN0 = 00
        mov %rax, %dr7
        nop
bp_exec:
        nop
        # DR1: data write breakpoint, 4 bytes
        lea watched(%rip), %rax
        mov %rax, %dr1
        mov $0x00D00404, %eax            # L1, R/W1 = 01 (write), LEN1 = 11 (4 bytes)
        mov %rax, %dr7
        mov watched(%rip), %ebx          # a read: no trap
        movl $7, watched(%rip)           # a write: a trap after it
        nop
        # DR2: read/write breakpoint, 8 bytes, hit by a 2-byte read inside it
        lea watched + 8(%rip), %rax
        mov %rax, %dr2
        mov $0x0BF00410, %eax            # L2, R/W2 = 11, LEN2 = 10 (8 bytes)
        mov %rax, %dr7
        movw watched + 12(%rip), %bx
        nop
        # DR6/DR7 as read back, DR4/DR5 aliases with CR4.DE = 0
        mov %dr6, %rax
        mov %dr7, %rbx
        mov %dr4, %rcx
        mov %dr5, %rdx
        call kprint
        # INT1 (ICEBP) from ring 0 is not compared: QEMU raises #UD for it
        ret

        .data
        .balign 16
watched: .quad 0, 0

        .text
        .balign 16
user_image:
        ret
user_image_end:
