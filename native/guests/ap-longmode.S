# Two VCPUs, the second brought all the way to 64-bit mode by a standard AP trampoline.
#
# The boot VCPU (64-bit, identity page tables at 0 from the VMM) loads a GDT and an IDT, starts
# APIC ID 1 with INIT + STARTUP through the x2APIC ICR and waits, halted, for the AP's IPI.
# The AP starts in real mode at ap_start (page-aligned: STARTUP vector = address / 4096) and goes
# real mode -> 32-bit protected mode -> compatibility mode (CR4.PAE, CR3 = 0, EFER.LME, CR0.PG)
# -> 64-bit mode (RETF to a 64-bit code segment). There it computes a 64-bit value, reads its
# initial APIC ID with CPUID, takes an interrupt it sent itself through the ICR, and sends an
# IPI to the boot VCPU, which reports what the AP left in memory.
#
# Ports (32-bit OUTs):
#   0x52  AP step: 1 protected mode, 2 compatibility mode, 3 64-bit mode
#   0x53  AP result, low half      0x54  AP result, high half
#   0x55  AP initial APIC ID (CPUID.1:EBX[31:24])
#   0x56  AP interrupts counted (vector 0x41)
#   0x50  boot VCPU: the AP's result (low half) as read from memory after the AP's IPI
#   0x51  boot VCPU: IPIs counted (vector 0x40)
#   0x5F  boot VCPU: done
# zx4j-load-address: 0x2000
        .set BSP_VECTOR, 0x40
        .set AP_VECTOR, 0x41
        .set ICR, 0x830
        .set EOI, 0x80B
        .set IA32_EFER, 0xC0000080

        .text
        .code64
        .globl _start, ap_start, ap_pm32, ap_compat, ap_lm64, ap_result
_start:
        mov $0x80000, %rsp
        call load_gdt
        lidt idtr(%rip)
        mov $BSP_VECTOR, %edi
        lea bsp_ipi(%rip), %rsi
        call set_gate
        mov $AP_VECTOR, %edi
        lea ap_irq(%rip), %rsi
        call set_gate

        mov $ICR, %ecx
        mov $1, %edx                    # destination: APIC ID 1
        mov $0x4500, %eax               # INIT
        wrmsr
        mov $ap_start, %eax
        shr $12, %eax
        or $0x4600, %eax                # STARTUP, vector = ap_start / 4096
        wrmsr

1:      cmpl $0, bsp_ipis(%rip)        # the AP's IPI, not a flag: the IPI comes last
        jne 2f                          # STI; HLT: no interrupt slips in between
        sti
        hlt
        cli
        jmp 1b
2:      mov ap_result(%rip), %eax
        out %eax, $0x50
        mov bsp_ipis(%rip), %eax
        out %eax, $0x51
        out %eax, $0x5F
3:      hlt
        jmp 3b

bsp_ipi:
        incl bsp_ipis(%rip)
        jmp eoi
ap_irq: incl ap_irqs(%rip)
eoi:    push %rax
        push %rcx
        push %rdx
        mov $EOI, %ecx
        xor %eax, %eax
        xor %edx, %edx
        wrmsr
        pop %rdx
        pop %rcx
        pop %rax
        iretq

        .include "idt64.inc"
        .include "gdt64.inc"

        .balign 8
ap_result:  .quad 0
bsp_ipis:   .long 0
ap_irqs:    .long 0
        .balign 8
idtr:   .word 256 * 16 - 1
        .quad idt

# ---- the AP trampoline: real mode, CS.base = ap_start, IP = 0 -----------------------------
        .balign 4096
        .code16
ap_start:
        cli
        mov %cs, %ax
        mov %ax, %ds
        lgdtl (ap_gdtr - ap_start)
        mov %cr0, %eax
        or $1, %eax                     # PE
        mov %eax, %cr0
        ljmpl $CODE32_SEL, $ap_pm32

ap_gdtr:
        .word gdt64_end - gdt64 - 1
        .long gdt64

        .code32
ap_pm32:
        mov $DATA_SEL, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov $ap_stack_top, %esp
        mov $1, %eax
        out %eax, $0x52
        mov %cr4, %eax
        or $0x20, %eax                  # PAE
        mov %eax, %cr4
        xor %eax, %eax
        mov %eax, %cr3                  # the VMM's identity page tables at 0
        mov $IA32_EFER, %ecx
        rdmsr
        or $0x100, %eax                 # LME
        wrmsr
        mov %cr0, %eax
        or $0x80000000, %eax            # PG: EFER.LMA = 1, compatibility mode
        mov %eax, %cr0
ap_compat:
        mov $2, %eax
        out %eax, $0x52
        pushl $CODE64_SEL
        pushl $ap_lm64
        lret

        .code64
ap_lm64:
        mov $ap_stack_top, %rsp
        lidt idtr(%rip)
        mov $3, %eax
        out %eax, $0x52
        movabs $0x0123456789ABCDEF, %rax
        rol $16, %rax                   # 0x456789ABCDEF0123
        mov $3, %ecx
        imul %rcx, %rax                 # only 64-bit code gets all of this
        mov %rax, ap_result(%rip)
        out %eax, $0x53
        shr $32, %rax
        out %eax, $0x54
        mov $1, %eax
        cpuid
        shr $24, %ebx
        mov %ebx, %eax
        out %eax, $0x55

        mov $ICR, %ecx
        xor %edx, %edx
        mov $(1 << 18) | AP_VECTOR, %eax # fixed, shorthand "self"
        wrmsr
1:      cmpl $0, ap_irqs(%rip)
        jne 2f
        sti
        hlt
        cli
        jmp 1b
2:      mov ap_irqs(%rip), %eax
        out %eax, $0x56
        mov $ICR, %ecx
        xor %edx, %edx                  # destination: APIC ID 0, the boot VCPU
        mov $BSP_VECTOR, %eax
        wrmsr
3:      hlt
        jmp 3b

        .balign 16
ap_stack:
        .fill 512, 1, 0
ap_stack_top:
        .balign 16
idt:    .fill 256 * 16, 1, 0
