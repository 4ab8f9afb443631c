# Far transfers from 64-bit mode: into and out of compatibility mode (32- and 16-bit code
# segments) with RETF, far JMP and CALL (immediate and through memory), IRETQ and interrupts,
# and the faults of bad code-segment selectors.
#
# The test runs _start (GDT, IDT), then each entry point below on its own; every step reports
# with an OUT to the port named next to it and each entry ends with HLT. Exceptions go to one
# handler: R14 = vector, R15 = error code, R13 = faulting RIP, OUT 0x8F, HLT.
# zx4j-load-address: 0x2000
        .text
        .code64
        .globl _start
_start:
        mov $0x80000, %rsp
        call load_gdt
        lgdt gdtr_far(%rip)             # the shared GDT plus descriptors to fault on
        lidt idtr(%rip)
        mov $11, %edi
        lea np_handler(%rip), %rsi
        call set_gate
        mov $13, %edi
        lea gp_handler(%rip), %rsi
        call set_gate
        mov $0x30, %edi
        lea irq_handler(%rip), %rsi
        call set_gate
        mov $0x31, %edi                 # a gate naming a 32-bit code segment: #GP(0x18)
        lea irq_handler(%rip), %rsi
        call set_gate
        movw $CODE32_SEL, idt + 0x31 * 16 + 2(%rip)
        out %al, $0x10
        hlt

# RETF (REX.W) into a 32-bit code segment, then RETF (32-bit operands) back.
        .globl lret_compat
lret_compat:
        xor %ebx, %ebx
        pushq $CODE32_SEL
        lea 1f(%rip), %rax
        pushq %rax
        lretq
        .code32
1:      out %al, $0x20                  # compatibility mode
        xor %ecx, %ecx
        .byte 0x41                      # INC ECX here; a REX prefix in 64-bit mode
        mov %ecx, %ebx
        pushl $CODE64_SEL
        pushl $2f
        lret
        .code64
2:      out %al, $0x21                  # 64-bit mode again, EBX = 1
        hlt

# JMP m16:32 into compatibility mode, JMP ptr16:32 back.
        .globl ljmp_compat
ljmp_compat:
        ljmpl *ptr_compat(%rip)
        .code32
compat_j:
        out %al, $0x22
        ljmp $CODE64_SEL, $1f
        .code64
1:      out %al, $0x23
        hlt

# CALL m16:64 to 64-bit code, which looks at its frame and returns with RETF (REX.W).
        .globl lcall_64
lcall_64:
        mov %rsp, %rbx
        rex64 lcall *ptr_far64(%rip)
after_lcall_64:
        out %al, $0x25                  # back, RSP restored
        hlt
far64:  mov (%rsp), %r8                 # return RIP
        mov 8(%rsp), %r9                # CS, pushed as a quadword
        out %al, $0x24
        lretq

# From compatibility mode: CALL ptr16:32 to 32-bit code that takes one argument and returns
# with RETF 4; then JMP m16:32 back to 64-bit mode.
        .globl lcall_compat
lcall_compat:
        mov %rsp, %rbx
        ljmpl *ptr_compat2(%rip)
        .code32
compat_c:
        pushl $0x5A5A
        lcall $CODE32_SEL, $far32
        out %al, $0x27                  # ESI = argument, ESP restored
        ljmpl *ptr_back64
far32:  mov (%esp), %edi                # return EIP
        mov 4(%esp), %ebp               # CS (32-bit slot)
        mov 8(%esp), %esi               # the argument
        out %al, $0x26
        lret $4
        .code64
back64_c:
        out %al, $0x28
        hlt

# A 16-bit code segment in compatibility mode: PUSH takes two bytes; back with JMP ptr16:32.
        .globl code16
code16:
        pushq $CODE16_SEL
        lea 1f(%rip), %rax
        pushq %rax
        lretq
        .code16
1:      mov %esp, %eax
        push $0x1234                    # 16-bit operand size: ESP - 2
        mov %esp, %ebx
        pop %cx
        out %al, $0x29
        ljmpl $CODE64_SEL, $2f
        .code64
2:      out %al, $0x2A
        hlt

# IRETQ to compatibility mode, an interrupt taken there (64-bit handler, IRETQ back to
# compatibility mode), then RETF to 64-bit mode.
        .globl iret_compat
iret_compat:
        mov %rsp, %rax
        pushq $DATA_SEL                 # SS
        pushq %rax                      # RSP
        pushfq
        pushq $CODE32_SEL
        lea 1f(%rip), %rax
        pushq %rax
        iretq
        .code32
1:      out %al, $0x2B
        int $0x30                       # handler at 0x30, back here in compatibility mode
        out %al, $0x2D
        pushl $CODE64_SEL
        pushl $2f
        lret
        .code64
2:      out %al, $0x2E
        hlt
irq_handler:
        mov %rsp, %r12                  # the frame: RIP, CS, RFLAGS, RSP, SS
        out %al, $0x2C
        iretq

# Faults. Each entry makes one bad transfer; the handler reports it and halts.
        .globl jmp_data_sel, jmp_null_sel, jmp_past_gdt, jmp_not_present, jmp_long_and_d
        .globl jmp_dpl3, jmp_rpl3, retf_data_sel, int_to_compat, iret_null_ss_compat
        .globl jmp_call_gate, retf_data_sel_insn, iret_null_ss_insn
jmp_data_sel:
        ljmpl *ptr_data(%rip)           # #GP(0x10)
        hlt
jmp_null_sel:
        ljmpl *ptr_null(%rip)           # #GP(0)
        hlt
jmp_past_gdt:
        ljmpl *ptr_past(%rip)           # #GP(0x48)
        hlt
jmp_not_present:
        ljmpl *ptr_np(%rip)             # #NP(0x28)
        hlt
jmp_long_and_d:
        ljmpl *ptr_ld(%rip)             # L = D = 1: #GP(0x30)
        hlt
jmp_dpl3:
        ljmpl *ptr_dpl3(%rip)           # #GP(0x38)
        hlt
jmp_rpl3:
        ljmpl *ptr_rpl3(%rip)           # RPL 3 to a non-conforming segment: #GP(0x18)
        hlt
retf_data_sel:
        pushq $DATA_SEL
        pushq $0x1000
retf_data_sel_insn:
        lretq                           # #GP(0x10)
        hlt
int_to_compat:
        int $0x31                       # the gate names a 32-bit segment: #GP(0x18)
        hlt
iret_null_ss_compat:
        mov %rsp, %rax
        pushq $0                        # null SS is fine only when returning to 64-bit mode
        pushq %rax
        pushfq
        pushq $CODE32_SEL
        pushq $0x1000
iret_null_ss_insn:
        iretq                           # #GP(0)
        hlt
jmp_call_gate:
        ljmpl *ptr_gate(%rip)           # a call gate: not modelled, ends the run
        hlt

gp_handler:
        pop %r15
        mov $13, %r14d
        mov (%rsp), %r13
        out %al, $0x8F
        hlt
np_handler:
        pop %r15
        mov $11, %r14d
        mov (%rsp), %r13
        out %al, $0x8F
        hlt

        .include "idt64.inc"
        .include "gdt64.inc"

        .balign 8
ptr_compat:  .long compat_j
             .word CODE32_SEL
ptr_compat2: .long compat_c
             .word CODE32_SEL
ptr_back64:  .long back64_c
             .word CODE64_SEL
ptr_far64:   .quad far64
             .word CODE64_SEL
ptr_data:    .long 0x1000
             .word DATA_SEL
ptr_null:    .long 0x1000
             .word 0
ptr_past:    .long 0x1000
             .word 0x48
ptr_np:      .long 0x1000
             .word 0x28
ptr_ld:      .long 0x1000
             .word 0x30
ptr_dpl3:    .long 0x1000
             .word 0x38
ptr_rpl3:    .long 0x1000
             .word CODE32_SEL | 3
ptr_gate:    .long 0x1000
             .word 0x40

        .balign 8
gdt_far:
        .quad 0
        .quad 0x00AF9A000000FFFF        # 0x08 64-bit code
        .quad 0x00CF92000000FFFF        # 0x10 data
        .quad 0x00CF9A000000FFFF        # 0x18 32-bit code
        .quad 0x00009A000000FFFF        # 0x20 16-bit code
        .quad 0x00AF1A000000FFFF        # 0x28 64-bit code, not present
        .quad 0x00EF9A000000FFFF        # 0x30 L and D both set
        .quad 0x00AFFA000000FFFF        # 0x38 64-bit code, DPL 3
        .quad 0x00008C0800002000        # 0x40 a 32-bit call gate
gdt_far_end:
        .balign 8
gdtr_far:
        .word gdt_far_end - gdt_far - 1
        .quad gdt_far
idtr:   .word 64 * 16 - 1
        .quad idt
        .balign 16
idt:    .fill 64 * 16, 1, 0
