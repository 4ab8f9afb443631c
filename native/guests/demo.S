# The guest runner's demo (dev.zx4j.runner.GuestRunner): boots on two VCPUs, prints from both,
# counts timer interrupts on both, rings the doorbell and halts cleanly.
#
# Contract with the runner (see GuestRunner's Javadoc):
#   0x3F8        UART data register: OUT of a byte prints it (IN 0x3FD, line status, reads 0x60)
#   0x500        OUT of a 32-bit count: the timer interrupts this VCPU's handler counted
#   0x501        OUT: this VCPU is finished (the runner ends its loop); on the boot VCPU it ends
#                the run, with the byte written as the guest's status (0 = success)
#   0xF0000000   the doorbell page (BELL trap): a write queues a packet on the runner's port
#   vector 40    the timer: a hardware IRQ line of the platform bound to every VCPU
#
# The boot VCPU starts here in 64-bit mode on the runner's identity page tables. It starts the
# application processor (APIC ID 1) with INIT + STARTUP through the x2APIC ICR; the AP starts in
# real mode at ap_start, which must therefore be page-aligned (STARTUP vector = address / 4096).
# zx4j-load-address: 0x2000
        .set UART, 0x3F8
        .set PORT_TICKS, 0x500
        .set PORT_DONE, 0x501
        .set BELL, 0xF0000000
        .set TIMER_VECTOR, 40
        .set BOOT_TICKS, 5
        .set AP_TICKS, 3

        .text
        .code64
        .globl _start, ap_start, ticks, ap_done
_start:
        mov $0x80000, %rsp
        call load_gdt
        lidt idtr(%rip)
        mov $TIMER_VECTOR, %edi
        lea tick(%rip), %rsi
        call set_gate
        lea hello(%rip), %rsi
        call puts

        # INIT, then STARTUP, to APIC ID 1 (x2APIC ICR: EDX = destination, EAX = mode | vector)
        mov $0x830, %ecx
        mov $1, %edx
        mov $0x4500, %eax
        wrmsr
        mov $ap_start, %eax
        shr $12, %eax
        or $0x4600, %eax
        mov $1, %edx
        wrmsr
        lea sipi(%rip), %rsi
        call puts

        sti
1:      hlt
        cmpl $BOOT_TICKS, ticks(%rip)
        jb 1b

        lea boot_counted(%rip), %rsi
        call puts
        mov $BOOT_TICKS, %eax
        call putdec
        lea ticks_nl(%rip), %rsi
        call puts

        mov $BELL, %ecx
        movl $1, (%rcx)                 # the doorbell: a BELL trap, the VCPU goes on
        lea rang(%rip), %rsi
        call puts

2:      hlt                             # ticks keep waking us while the AP works
        cmpb $0, ap_done(%rip)
        je 2b
        cli

        lea boot_total(%rip), %rsi
        call puts
        mov ticks(%rip), %eax
        call putdec
        lea ticks_nl(%rip), %rsi
        call puts
        mov ticks(%rip), %eax
        mov $PORT_TICKS, %dx
        out %eax, (%dx)
        lea bye(%rip), %rsi
        call puts
        xor %eax, %eax
        mov $PORT_DONE, %dx
        out %al, (%dx)                  # success: the runner stops the run
3:      hlt
        jmp 3b

# puts(%rsi): bytes to the UART until NUL.
puts:   mov $UART, %dx
1:      lodsb
        test %al, %al
        jz 2f
        out %al, (%dx)
        jmp 1b
2:      ret

# putdec(%eax): the unsigned value in decimal.
putdec: lea numend(%rip), %rdi
        movb $0, (%rdi)
        mov $10, %ecx
1:      xor %edx, %edx
        div %ecx
        add $'0', %dl
        dec %rdi
        mov %dl, (%rdi)
        test %eax, %eax
        jnz 1b
        mov %rdi, %rsi
        jmp puts

        .include "idt64.inc"
        .include "gdt64.inc"

# The timer handler: count, end of interrupt (x2APIC EOI), return.
tick:   incl ticks(%rip)
        push %rax
        push %rcx
        push %rdx
        mov $0x80B, %ecx
        xor %eax, %eax
        xor %edx, %edx
        wrmsr
        pop %rdx
        pop %rcx
        pop %rax
        iretq

hello:        .asciz "boot cpu: hello from 64-bit long mode\n"
sipi:         .asciz "boot cpu: sent INIT + STARTUP to cpu 1\n"
boot_counted: .asciz "boot cpu: counted "
boot_total:   .asciz "boot cpu: ap is done; total "
ticks_nl:     .asciz " timer ticks\n"
rang:         .asciz "boot cpu: rang the doorbell\n"
bye:          .asciz "boot cpu: done, halting\n"
        .balign 4
ticks:  .long 0
numbuf: .fill 12, 1, 0
numend: .byte 0
        .balign 8
idtr:   .word 48 * 16 - 1
        .quad idt

# ---- the application processor: real mode, CS.base = ap_start, DS = SS = CS ---------------
        .balign 4096
        .code16
ap_start:
        cli
        mov %cs, %ax
        mov %ax, %ds
        mov %ax, %ss
        mov $(ap_stack_top - ap_start), %sp
        mov %ax, (ap_ivt_seg - ap_start)    # the IVT entry's segment is ours
        lidt (ap_idtr - ap_start)
        mov $(ap_hello - ap_start), %si
        call ap_puts
        sti
1:      hlt
        cmpw $AP_TICKS, %cs:(ap_ticks - ap_start)
        jb 1b
        cli
        mov $(ap_counted - ap_start), %si
        call ap_puts
        mov (ap_ticks - ap_start), %ax
        call ap_putdec
        mov $(ap_ticks_nl - ap_start), %si
        call ap_puts
        movzwl (ap_ticks - ap_start), %eax
        mov $PORT_TICKS, %dx
        out %eax, (%dx)
        mov $(ap_bye - ap_start), %si
        call ap_puts
        movb $1, (ap_done - ap_start)       # the boot VCPU waits for this
        xor %al, %al
        mov $PORT_DONE, %dx
        out %al, (%dx)
2:      hlt
        jmp 2b

ap_puts:
        mov $UART, %dx
1:      lodsb
        test %al, %al
        jz 2f
        out %al, (%dx)
        jmp 1b
2:      ret

# ap_putdec(%ax): the unsigned value in decimal.
ap_putdec:
        mov $(ap_numend - ap_start), %di
        movb $0, (%di)
        mov $10, %cx
1:      xor %dx, %dx
        div %cx
        add $'0', %dl
        dec %di
        mov %dl, (%di)
        test %ax, %ax
        jnz 1b
        mov %di, %si
        jmp ap_puts

# The real-mode timer handler.
ap_tick:
        incw %cs:(ap_ticks - ap_start)
        iret

ap_hello:     .asciz "ap cpu: hello from real mode\n"
ap_counted:   .asciz "ap cpu: counted "
ap_ticks_nl:  .asciz " timer ticks\n"
ap_bye:       .asciz "ap cpu: done\n"
        .balign 4
ap_ticks:     .word 0
ap_done:      .byte 0
        .balign 4
# The IVT holds only the timer's entry: the IDTR base points TIMER_VECTOR entries before it.
ap_ivt:       .word ap_tick - ap_start
ap_ivt_seg:   .word 0
ap_idtr:      .word 4 * TIMER_VECTOR + 3
              .long ap_ivt - 4 * TIMER_VECTOR
ap_numbuf:    .fill 6, 1, 0
ap_numend:    .byte 0
        .balign 16
ap_stack:     .fill 256, 1, 0
ap_stack_top:

        .code64
        .balign 16
idt:    .fill 48 * 16, 1, 0
