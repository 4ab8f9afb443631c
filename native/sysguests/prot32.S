# Rings in 32-bit protected mode (no paging): a 32-bit TSS gives SS0:ESP0 for events from
# ring 3, which push SS:ESP; INT n through a DPL 3 gate, #GP from ring 3 and IRET back to ring 3.
# It does not include kernel.inc (which goes to long mode); it prints in the same format.
        .set COM1, 0x3F8
        .set KCODE, 0x08
        .set KDATA, 0x10
        .set UCODE, 0x1B
        .set UDATA, 0x23
        .set TSS_SEL, 0x28

        .text
        .code32
        .globl _start
_start:
        jmp boot
        .balign 4
mb_header:
        .long 0x1BADB002
        .long 0x00010000
        .long -(0x1BADB002 + 0x00010000)
        .long mb_header
        .long _start
        .long _edata
        .long _end
        .long _start

boot:
        cli
        xor %ebx, %ebx                   # EBX holds the multiboot information address
        lgdt gdtr
        ljmp $KCODE, $1f
1:      mov $KDATA, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        mov $kstack_top, %esp
        # TSS base into its descriptor; SS0:ESP0
        mov $tss, %eax
        mov %ax, gdt + TSS_SEL + 2
        shr $16, %eax
        mov %al, gdt + TSS_SEL + 4
        mov %ah, gdt + TSS_SEL + 7
        movl $ring0_stack_top, tss + 4
        movl $KDATA, tss + 8
        movw $0x68, tss + 0x66
        mov $TSS_SEL, %ax
        ltr %ax
        # IDT: vectors 0-31 interrupt gates DPL 0, 0x80 trap gate DPL 3
        xor %ecx, %ecx
2:      mov exc_table(, %ecx, 4), %eax
        mov %ax, idt(, %ecx, 8)
        movw $KCODE, idt + 2(, %ecx, 8)
        movw $0x8E00, idt + 4(, %ecx, 8)
        shr $16, %eax
        mov %ax, idt + 6(, %ecx, 8)
        inc %ecx
        cmp $33, %ecx
        jne 2b
        mov idt + 32 * 8, %eax
        mov %eax, idt + 0x80 * 8
        mov idt + 32 * 8 + 4, %eax
        mov %eax, idt + 0x80 * 8 + 4
        movw $0xEF00, idt + 0x80 * 8 + 4
        movl $0, idt + 32 * 8
        movl $0, idt + 32 * 8 + 4
        lidt idtr
        # to ring 3
        mov %esp, resume_esp
        pushl $UDATA
        pushl $user_stack_top
        pushl $0x2
        pushl $UCODE
        pushl $user
        iret
back:
        mov $KDATA, %eax
        mov %eax, %ds
        mov %eax, %es
        mov $msg_end, %esi
        call puts
        mov $0, %eax
        out %eax, $0xF4
        hlt

user:
        mov $UDATA, %eax
        mov %eax, %ds
        mov %eax, %es
        mov $5, %eax
        int $0x80                        # stack switch to SS0:ESP0
        mov %ds, %ebx
        mov $6, %eax
        int $0x80
        lea 1f, %eax
        mov %eax, fixup
        cli                              # #GP(0) from ring 3
1:      lea 1f, %eax
        mov %eax, fixup
        mov $KDATA, %ecx
        mov %ecx, %ds                    # #GP(0x10)
1:      movl $0, fixup
        mov $0xDEAD, %eax
        int $0x80

# ---- printing (32-bit) ---------------------------------------------------------------------
putc:   push %edx
        mov $COM1, %dx
        out %al, %dx
        pop %edx
        ret
puts:   push %eax
1:      lodsb
        test %al, %al
        jz 2f
        call putc
        jmp 1b
2:      pop %eax
        ret
puthex: push %ecx
        push %edx
        push %eax
        mov %eax, %edx
        mov $8, %ecx
1:      rol $4, %edx
        mov %edx, %eax
        and $15, %eax
        add $'0', %eax
        cmp $'9', %eax
        jbe 2f
        add $('a' - '0' - 10), %eax
2:      call putc
        dec %ecx
        jnz 1b
        mov $' ', %al
        call putc
        pop %eax
        pop %edx
        pop %ecx
        ret

        .macro EXC n, haserr
exc_\n:
        .if \haserr == 0
        pushl $0
        .endif
        pushl $\n
        jmp exc_common
        .endm
        .irp n, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31,128
        EXC \n, 0
        .endr
        .irp n, 8,10,11,12,13,14,17
        EXC \n, 1
        .endr

# Frame: DS, then EDI..EAX (PUSHA), vector, error, EIP, CS, EFLAGS, ESP, SS
exc_common:
        pusha
        push %ds
        mov $KDATA, %eax
        mov %eax, %ds
        mov $'X', %al
        call putc
        mov $' ', %al
        call putc
        mov 36(%esp), %eax               # vector
        call puthex
        mov 40(%esp), %eax               # error code
        call puthex
        mov 44(%esp), %eax               # EIP
        call puthex
        mov 48(%esp), %eax               # CS
        call puthex
        mov 52(%esp), %eax               # EFLAGS
        call puthex
        mov 56(%esp), %eax               # ESP (from ring 3)
        call puthex
        mov 60(%esp), %eax               # SS
        call puthex
        lea 64(%esp), %eax               # where the frame ends: the ring-0 stack top
        call puthex
        mov 32(%esp), %eax               # EAX
        call puthex
        mov 20(%esp), %eax               # EBX
        call puthex
        mov (%esp), %eax                 # DS of the interrupted code
        call puthex
        mov $'\n', %al
        call putc
        cmpl $0x80, 36(%esp)
        jne 1f
        cmpl $0xDEAD, 32(%esp)
        je 3f
        incl 32(%esp)
        jmp 2f
1:      mov fixup, %eax
        test %eax, %eax
        jz 3f
        mov %eax, 44(%esp)
2:      pop %ds
        popa
        add $8, %esp
        iret
3:      mov resume_esp, %esp
        jmp back

        .data
        .balign 8
gdt:    .quad 0
        .quad 0x00CF9B000000FFFF         # 0x08 code32 DPL 0
        .quad 0x00CF93000000FFFF         # 0x10 data DPL 0
        .quad 0x00CFFB000000FFFF         # 0x18 code32 DPL 3
        .quad 0x00CFF3000000FFFF         # 0x20 data DPL 3
        .quad 0x0000890000000067         # 0x28 TSS (32-bit, available)
gdt_end:
gdtr:   .word gdt_end - gdt - 1
        .long gdt
idtr:   .word 256 * 8 - 1
        .long idt
exc_table:
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,128
        .long exc_\n
        .endr
fixup:  .long 0
resume_esp: .long 0
msg_end: .asciz "END\n"

        .bss
        .balign 16
idt:    .skip 256 * 8
tss:    .skip 0x68
        .skip 4096
kstack_top:
        .skip 4096
ring0_stack_top:
        .skip 4096
user_stack_top:
