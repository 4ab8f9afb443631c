# An application processor that goes from real mode to 32-bit protected mode and stays there:
# a far call in real mode, LGDT with a 16-bit operand (24-bit base), CR0.PE, a far jump to a
# 32-bit code segment, data segments from the GDT, events through a 32-bit IDT (interrupt and
# trap gates, a 16-bit gate, exceptions with and without error codes, IRET), a far call with
# RETF imm16, ENTER/LEAVE, 32-bit paging (4 MiB and 4 KiB pages) and PAE paging (NX).
#
# Every step reports with an OUT to the port named next to it; the test checks the CPU there.
# The #DE, #GP and #UD handlers skip EBP bytes and IRET; the #PF and #DF handlers halt (the
# test resumes at the next label).
# zx4j-load-address: 0x8000
        .set PD32, 0x20000
        .set PT32, 0x21000
        .set PDPT, 0x22000
        .set PDPAE, 0x23000
        .set PTPAE, 0x24000

        .text
        .code16
        .globl _start
_start:
        cli
        mov %cs, %ax
        mov %ax, %ds
        mov %ax, %ss
        mov $(rm_stack_top - _start), %sp
        lcall $0x0800, $(rm_far - _start)
        out %al, $0x30                  # BX = 0x1234, SP back
        lgdt (gdt_ptr16 - _start)       # 16-bit operand: the base's top byte is ignored
        mov %cr0, %eax
        or $1, %eax
        mov %eax, %cr0
        out %al, $0x31                  # PE = 1, still 16-bit code at CS.base = 0x8000
        ljmpl $CODE32_SEL, $pm32
rm_far: mov $0x1234, %bx
        lretw

        .code32
pm32:   mov $DATA_SEL, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov $stack_top, %esp
        out %al, $0x32                  # 32-bit protected mode, flat segments
        lidt idtr32
        mov $CODE32_SEL, %ebx
        mov $0x8E00, %edx               # 32-bit interrupt gates
        xor %edi, %edi
        mov $de_handler, %esi
        call set_gate32
        mov $6, %edi
        mov $ud_handler, %esi
        call set_gate32
        mov $8, %edi
        mov $df_handler, %esi
        call set_gate32
        mov $13, %edi
        mov $gp_handler, %esi
        call set_gate32
        mov $14, %edi
        mov $pf_handler, %esi
        call set_gate32
        mov $0x20, %edi
        mov $irq_handler, %esi
        call set_gate32
        mov $0x21, %edi
        mov $trap_handler, %esi
        mov $0x8F00, %edx               # a 32-bit trap gate
        call set_gate32
        mov $0x22, %edi
        mov $handler16, %esi
        mov $CODE16_SEL, %ebx
        mov $0x8600, %edx               # a 16-bit interrupt gate to a 16-bit code segment
        call set_gate32
        mov $0x23, %edi
        mov $0x8500, %edx               # a task gate
        call set_gate32
        sti
        hlt                             # the test injects vector 0x20 here
        .globl after_irq
after_irq:
        out %al, $0x33
        int $0x21
        out %al, $0x34
        int $0x22
        out %al, $0x35
        cli
        mov $2, %ebp
        xor %ecx, %ecx
        div %ecx                        # #DE
        out %al, $0x36
        mov $0x4B, %ax
        mov %ax, %ds                    # #GP(0x48): past the GDT limit
        out %al, $0x37
        ud2                             # #UD
        out %al, $0x38
        mov %esp, %edx
        pushl $7
        lcall $CODE32_SEL, $pm_far
        out %al, $0x39                  # EBX = 7, ESP back
        mov %esp, %edx
        mov $0x1111, %ebp
        enter $16, $1
        mov %esp, %ecx
        mov %ebp, %ebx
        mov 16(%esp), %eax              # the frame pointer level 1 pushed
        mov 20(%esp), %esi              # the old EBP
        leave
        out %al, $0x3A                  # EBP back to 0x1111, ESP back

        # 32-bit paging: 0-4 MiB one 4 MiB page, VA 4 MiB -> PA 0x30000 (4 KiB, read-only).
        movl $0x00000083, PD32
        movl $PT32 | 3, PD32 + 4
        movl $0x00030001, PT32
        movl $0xCAFE0001, 0x30000
        mov %cr4, %eax
        or $0x10, %eax                  # PSE
        mov %eax, %cr4
        mov $PD32, %eax
        mov %eax, %cr3
        mov %cr0, %eax
        or $0x80000000, %eax
        mov %eax, %cr0
        mov 0x400000, %ebx
        out %al, $0x3B                  # EBX = 0xCAFE0001
        movl $1, 0x400000               # #PF: write to a read-only page, CR0.WP = 1
        .globl pf_absent
pf_absent:
        mov 0x800000, %eax              # #PF: not present
        .globl paging_off
paging_off:
        mov %cr0, %eax
        and $0x7FFFFFFF, %eax
        mov %eax, %cr0

        # PAE paging: 0-2 MiB one 2 MiB page, VA 4 MiB -> PA 0x31000 (4 KiB, NX).
        movl $PDPAE | 1, PDPT
        movl $0, PDPT + 4
        movl $0x83, PDPAE
        movl $0, PDPAE + 4
        movl $PTPAE | 3, PDPAE + 16
        movl $0, PDPAE + 20
        movl $0x31000 | 3, PTPAE
        movl $0x80000000, PTPAE + 4     # NX
        movl $0xBEEF0002, 0x31000
        movl $0xC3, 0x31004             # RET, never executed: the page is NX
        mov %cr4, %eax
        or $0x20, %eax                  # PAE
        mov %eax, %cr4
        mov $PDPT, %eax
        mov %eax, %cr3
        mov %cr0, %eax
        or $0x80000000, %eax
        mov %eax, %cr0
        mov 0x400000, %ebx
        out %al, $0x3C                  # EBX = 0xBEEF0002
        mov $0x400004, %eax
        call *%eax                      # #PF: instruction fetch from an NX page
        .globl pae_off
pae_off:
        mov %cr0, %eax
        and $0x7FFFFFFF, %eax
        mov %eax, %cr0
        out %al, $0x3D

        andb $0x7F, idt32 + 5           # #DE gate not present: #DE -> #NP -> #DF
        xor %ecx, %ecx
        div %ecx
        hlt

        .globl task_gate
task_gate:
        int $0x23                       # task switches are not modelled
        hlt

        .globl triple_fault
triple_fault:
        lidt idtr_empty                 # #UD -> #GP -> #DF -> shutdown
        ud2
        hlt

pm_far: mov 8(%esp), %ebx               # the argument above EIP and CS
        lret $4

# set_gate32: vector EDI, handler ESI, selector EBX, type and attributes in DX (0x8E00...).
set_gate32:
        lea idt32(,%edi,8), %eax
        mov %si, (%eax)
        mov %bx, 2(%eax)
        mov %dx, 4(%eax)
        mov %esi, %ecx
        shr $16, %ecx
        mov %cx, 6(%eax)
        ret

irq_handler:
        mov %esp, %esi                  # the frame for the test: EIP, CS, EFLAGS
        out %al, $0xA0
        iret
trap_handler:
        pushf
        pop %esi                        # IF still set: a trap gate
        out %al, $0xA1
        iret
de_handler:
        out %al, $0x80
        add %ebp, (%esp)
        iret
ud_handler:
        out %al, $0x86
        add %ebp, (%esp)
        iret
gp_handler:
        pop %edi                        # error code
        out %al, $0x8D
        add %ebp, (%esp)
        iret
pf_handler:
        pop %edi
        mov %cr2, %edx
        out %al, $0x8E
        hlt
df_handler:
        pop %edi
        out %al, $0x88
        hlt

        .code16
handler16:
        mov %sp, %si                    # IP, CS, FLAGS: 16-bit slots
        out %al, $0xA2
        iret
        .code32

        .include "gdt64.inc"

        .code16
        .balign 4
gdt_ptr16:
        .word gdt64_end - gdt64 - 1
        .long gdt64 + 0xAB000000
        .balign 8
idtr32: .word 64 * 8 - 1
        .long idt32
idtr_empty:
        .word 0
        .long 0
        .balign 8
idt32:  .fill 64 * 8, 1, 0
        .balign 16
rm_stack:
        .fill 256, 1, 0
rm_stack_top:
        .fill 1024, 1, 0
stack_top:
