# The x87 unit through the CPU: results stored to memory, FNSTSW AX, FCOMI flags, and the
# exceptions: #MF (vector 16) at the next waiting instruction after an unmasked zero divide,
# also after the guest clears CR0.NE (under VMX the real CR0.NE stays 1), and #NM (vector 7)
# with CR0.TS set. Port protocol: 0x10.. progress markers, 0x80 + vector from the handlers.
# zx4j-load-address: 0x2000
        .text
        .code64
        .globl _start, sum, quot, isum, sw_zd, flags_lt, done
_start:
        mov $0x80000, %rsp
        call load_gdt
        lidt idtr(%rip)
        mov $16, %edi
        lea mf_handler(%rip), %rsi
        call set_gate
        mov $7, %edi
        lea nm_handler(%rip), %rsi
        call set_gate
        fninit
        fld1
        fldpi
        faddp                           # 1 + pi
        fstl sum(%rip)                  # as a double
        fildl three(%rip)
        fdivrp                          # DE F9: ST(1) = (1 + pi) / 3, pop
        fstpt quot(%rip)                # 80 bits
        fldl2e
        fistpl isum(%rip)               # round(log2 e) = 1
        fld1
        fldz
        fcomip %st(1), %st              # 0 < 1: CF = 1
        pushfq
        popq flags_lt(%rip)
        fstp %st(0)
        out %al, $0x10
        # an unmasked zero divide is pending after FDIV; the next waiting instruction raises #MF
        fninit
        fldcw cw_zm(%rip)
        fld1
        fldz
        fdivrp
        fnstsw %ax
        mov %ax, sw_zd(%rip)
        fwait                           # #MF: the handler clears the exception and returns here
        out %al, $0x11
        # CR0.NE = 0 in the guest's view: #MF all the same
        mov %cr0, %rax
        and $~0x20, %rax
        mov %rax, %cr0
        fld1
        fldz
        fdivrp
        fwait
        out %al, $0x12
        # CR0.TS: the first x87 instruction raises #NM; the handler clears TS and returns
        mov %cr0, %rax
        or $8, %rax
        mov %rax, %cr0
        fld1
        out %al, $0x13
done:   hlt

mf_handler:
        push %rax
        out %al, $0x90
        fnclex
        pop %rax
        iretq
nm_handler:
        push %rax
        out %al, $0x87
        mov %cr0, %rax                  # clear TS
        and $~8, %rax
        mov %rax, %cr0
        pop %rax
        iretq

        .include "idt64.inc"
        .include "gdt64.inc"

        .data
        .balign 16
three:  .long 3
cw_zm:  .short 0x037B
        .balign 8
sum:    .quad 0
quot:   .quad 0, 0
isum:   .long 0
sw_zd:  .short 0
        .balign 8
flags_lt: .quad 0
        .balign 8
idtr:   .word 256 * 16 - 1
        .quad idt
        .balign 16
idt:    .fill 256 * 16, 1, 0
