# Real-mode application processor: prints a string to port 0xE9 and halts.
# Linked at 0 because real-mode offsets are relative to CS.base (= the VCPU entry).
# zx4j-load-address: 0x0
        .text
        .code16
        .globl _start
_start:
        mov %cs, %ax
        mov %ax, %ds
        mov $0x7000, %sp
        mov $msg, %si
        cld
1:      lodsb
        test %al, %al
        jz 2f
        out %al, $0xe9
        jmp 1b
2:      movl $0x12345678, %eax
        out %eax, $0xeb
        call sub16
        hlt
sub16:  mov $0xbeef, %bx
        ret
msg:    .asciz "AP ok"
