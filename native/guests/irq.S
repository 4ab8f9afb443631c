# Interrupts and exceptions through a 64-bit IDT built at run time.
# Port protocol: 0x10 ready, 0x80 + vector from handlers, 0x11.. progress markers.
# zx4j-load-address: 0x2000
        .text
        .code64
        .globl _start, ready, after_irq, double_fault, triple_fault
_start:
        mov $0x80000, %rsp
        call load_gdt
        lidt idtr(%rip)
        xor %edi, %edi
        lea de_handler(%rip), %rsi
        call set_gate
        mov $6, %edi
        lea ud_handler(%rip), %rsi
        call set_gate
        mov $8, %edi
        lea df_handler(%rip), %rsi
        call set_gate
        mov $14, %edi
        lea pf_handler(%rip), %rsi
        call set_gate
        mov $32, %edi
        lea irq32_handler(%rip), %rsi
        call set_gate
        mov $200, %edi
        lea irq200_handler(%rip), %rsi
        call set_gate
ready:  out %al, $0x10
        sti
        hlt
after_irq:
        mov $0x11, %al
        out %al, $0x11
        cli
        xor %ecx, %ecx
        mov $7, %eax
        div %ecx                # #DE; the handler skips the 2-byte DIV
        out %al, $0x12
        ud2                     # #UD; the handler skips the 2-byte UD2
        out %al, $0x13
        mov $0x40000000, %rcx   # not mapped: PDPT entry 1 is empty
        mov (%rcx), %rax        # #PF; the handler skips the 3-byte MOV
        out %al, $0x14
        hlt

double_fault:                   # #DE with a not-present #DE gate -> #NP -> #DF
        mov $0x80000, %rsp
        lidt idtr(%rip)
        andb $0x7f, idt+5(%rip)
        xor %ecx, %ecx
        div %ecx
        hlt

triple_fault:                   # empty IDT: #UD -> #GP -> #DF -> shutdown
        lidt idtr_empty(%rip)
        ud2
        hlt

        .include "idt64.inc"
        .include "gdt64.inc"

de_handler:
        push %rax
        mov $0, %al
        out %al, $0x80
        pop %rax
        addq $2, (%rsp)
        iretq
ud_handler:
        push %rax
        mov $6, %al
        out %al, $0x86
        pop %rax
        addq $2, (%rsp)
        iretq
pf_handler:
        pop %r15                # error code
        mov %cr2, %r14
        out %al, $0x8e
        addq $3, (%rsp)
        iretq
df_handler:
        pop %r15
        out %al, $0x88
        hlt
irq32_handler:
        mov %rsp, %r13          # frame pointer for the test to inspect
        out %al, $0xa0
        iretq
irq200_handler:
        out %al, $0xc8
        iretq

        .balign 8
idtr:   .word 256 * 16 - 1
        .quad idt
idtr_empty:
        .word 0
        .quad idt
        .balign 16
idt:    .fill 256 * 16, 1, 0
