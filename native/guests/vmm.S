# End-to-end guest for the VMM conformance test (boot VCPU, 64-bit, identity-mapped).
# Ports: 0x3F8 UART data out; 0x3F9 IN of a byte the VMM supplies; 0x3FA echo of that byte;
# 0xE0 an interrupt handler reports its vector; 0xFF done.
# Memory: a MEM trap at 0x1000000 (one write), a BELL trap at 0x1001000 (one write).
# zx4j-load-address: 0x2000
        .text
        .code64
        .globl _start
_start:
        mov $0x80000, %rsp
        call load_gdt
        lidt idtr(%rip)
        mov $40, %edi
        lea irq40(%rip), %rsi
        call set_gate
        mov $48, %edi
        lea irq48(%rip), %rsi
        call set_gate
        lea hello(%rip), %rsi
        call puts
        mov $0x3F9, %dx
        in (%dx), %al            # the VMM answers with ZX_VCPU_IO
        inc %dx
        out %al, (%dx)           # echo it to 0x3FA
        mov $0x1000000, %rcx
        movl $0xCAFE, (%rcx)     # MEM trap: the VMM sees the instruction
        mov $0x1001000, %rcx
        movl $1, (%rcx)          # BELL trap: a port packet, the VCPU goes on
        sti
wait:   hlt
        cmpb $2, seen(%rip)
        jb wait
        cli
        lea bye(%rip), %rsi
        call puts
        out %al, $0xFF
        hlt

# puts(%rsi): bytes to the UART until NUL.
puts:   mov $0x3F8, %dx
1:      lodsb
        test %al, %al
        jz 2f
        out %al, (%dx)
        jmp 1b
2:      ret

irq40:  push %rax
        mov $40, %al
        out %al, $0xE0
        incb seen(%rip)
        pop %rax
        iretq

irq48:  push %rax
        mov $48, %al
        out %al, $0xE0
        incb seen(%rip)
        pop %rax
        iretq

        .include "idt64.inc"
        .include "gdt64.inc"

hello:  .asciz "hello from the guest\n"
bye:    .asciz "bye\n"
seen:   .byte 0
        .balign 16
idtr:   .word 256 * 16 - 1
        .quad idt
        .balign 16
idt:    .fill 256 * 16, 1, 0
