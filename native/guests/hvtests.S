# Guests for the x86 tests of the hypervisor suite that touch system calls, VMCALL and VCPU
# state (written for zx4j after the behaviour those tests check). Each test starts at its own
# symbol in 64-bit mode on the boot VCPU, with identity page tables whose entries carry the U
# bit, and ends cleanly by writing to EXIT_ADDR, a MEM trap.
# zx4j-load-address: 0x2000
        .set EXIT_ADDR, 0x1000000
        .set KCODE, 0x08
        .set KDATA, 0x10
        .set CODE32, 0x18
        .set UCODE64, 0x2B
        .set UDATA, 0x33

        .text
        .code64
        .globl _start
_start:
        jmp exit

# Loads the GDT below and reloads CS (0x08), DS, ES, SS (0x10). Clobbers RAX.
setup_gdt:
        lgdt gdtr(%rip)
        mov $KDATA, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        pop %rax
        pushq $KCODE
        push %rax
        lretq

exit:
        movq $0, EXIT_ADDR
        jmp exit

# SYSCALL from 64-bit mode to LSTAR.
        .globl hv_syscall
hv_syscall:
        mov $0x80000, %rsp
        call setup_gdt
        mov $0xC0000080, %ecx            # EFER.SCE
        rdmsr
        or $1, %eax
        wrmsr
        mov $0xC0000081, %ecx            # STAR: SYSCALL CS = 0x08
        xor %eax, %eax
        mov $KCODE, %edx
        wrmsr
        mov $0xC0000082, %ecx            # LSTAR
        lea syscall_target(%rip), %rax
        mov %rax, %rdx
        shr $32, %rdx
        wrmsr
        syscall
        ud2
syscall_target:
        jmp exit

# SYSENTER from 64-bit mode.
        .globl hv_sysenter
hv_sysenter:
        mov $0x80000, %rsp
        call setup_gdt
        call set_sysenter_msrs
        sysenter
        ud2

set_sysenter_msrs:
        mov $0x174, %ecx                 # SYSENTER_CS
        mov $KCODE, %eax
        xor %edx, %edx
        wrmsr
        mov $0x175, %ecx                 # SYSENTER_ESP
        mov $0x70000, %eax
        wrmsr
        mov $0x176, %ecx                 # SYSENTER_EIP
        lea sysenter_target(%rip), %rax
        mov %rax, %rdx
        shr $32, %rdx
        wrmsr
        ret
sysenter_target:
        jmp exit

# SYSENTER from compatibility mode (a 32-bit code segment in IA-32e mode).
        .globl hv_sysenter_compat
hv_sysenter_compat:
        mov $0x80000, %rsp
        call setup_gdt
        call set_sysenter_msrs
        pushq $CODE32
        lea compat(%rip), %rax
        push %rax
        lretq
        .code32
compat:
        sysenter
        ud2
        .code64

# VMCALL with a number the kernel does not implement: RAX = -1000.
        .globl hv_vmcall_invalid_number
hv_vmcall_invalid_number:
        mov $0x7FFFFFFF, %eax
        vmcall
        jmp exit

# VMCALL from CPL 3: RAX = -1.
        .globl hv_vmcall_invalid_cpl
hv_vmcall_invalid_cpl:
        mov $0x80000, %rsp
        call setup_gdt
        pushq $UDATA
        pushq $0x80000
        pushq $0x2
        pushq $UCODE64
        lea user(%rip), %rax
        push %rax
        iretq
user:
        mov $9, %eax
        vmcall
        jmp exit

# Read/write state: every general register and the flags set by the test come back changed.
        .globl hv_read_write_state
hv_read_write_state:
        add $1, %rax
        add $2, %rcx
        add $3, %rdx
        add $4, %rbx
        add $5, %rsp
        add $6, %rbp
        add $7, %rsi
        add $8, %rdi
        add $9, %r8
        add $10, %r9
        add $11, %r10
        add $12, %r11
        add $13, %r12
        add $14, %r13
        add $15, %r14
        add $16, %r15
        stc
        jmp exit

        .balign 8
gdt:    .quad 0
        .quad 0x00AF9B000000FFFF         # 0x08 code64, DPL 0
        .quad 0x00CF93000000FFFF         # 0x10 data, DPL 0
        .quad 0x00CF9B000000FFFF         # 0x18 code32, DPL 0 (compatibility mode)
        .quad 0x00CF93000000FFFF         # 0x20 data (SYSENTER SS = CS + 8 for 0x18)
        .quad 0x00AFFB000000FFFF         # 0x28 code64, DPL 3
        .quad 0x00CFF3000000FFFF         # 0x30 data, DPL 3
gdt_end:
gdtr:   .word gdt_end - gdt - 1
        .quad gdt
