# Ring transitions, system calls and faults with error codes (see include/kernel.inc).
        .include "kernel.inc"


# FAULT insn: records where the user program continues if insn faults, then runs it.
# (One instruction: a ";" would end the macro argument.)
        .macro FAULT insn:vararg
        lea 9f(%rip), %r15
        mov %r15, USER_FIXUP
        \insn
9:
        .endm

# KFAULT insn: a kernel-mode fault returns to the next instruction through resume_rip.
        .macro KFAULT insn:vararg
        movq $9f, resume_rip
        mov %rsp, resume_rsp
        \insn
9:
        .endm

        .text
        .code64
test_main:
        # 1. ring 3: system calls, software interrupts, faults
        movq $100, debug_budget
        mov $(u_main - user_image + USER_BASE), %rdi
        mov $USER_STACK, %rsi
        mov $0x2, %rdx
        call run_user

        # 2. ring 3 with IOPL 3: CLI/STI and any port are allowed
        mov $(u_iopl - user_image + USER_BASE), %rdi
        mov $USER_STACK, %rsi
        mov $0x3002, %rdx
        call run_user

        # 3. kernel: IST stack for vector 2, soft interrupt to a DPL 0 gate from CPL 0
        KFAULT int $2
        KFAULT int $0x81

        # 4. descriptor probes and system segment registers
        mov $LDT_SEL, %ax
        lldt %ax
        xor %eax, %eax
        str %ax
        mov %rax, %rbx
        sldt %ax
        call kprint
        .irp sel, 0x00, 0x08, 0x10, 0x1B, 0x23, 0x2B, 0x38, 0x3B, 0x50, 0x58, 0x07, 0x0C, 0x0F, 0x70
        mov $-1, %rax
        mov $-1, %rbx
        mov $\sel, %ecx
        lar %cx, %rax
        setz %dl
        lsl %cx, %rbx
        setz %dh
        verr %cx
        setz %cl
        verw %cx
        setz %ch
        movzwl %dx, %edx
        shl $16, %ecx
        or $\sel, %ecx
        call kprint
        .endr
        mov $0x07, %eax                  # LDT selector (TI = 1, RPL 3) for DS
        mov %eax, %ds
        mov %ds, %ebx
        mov $KDATA, %eax
        mov %eax, %ds
        call kprint
        mov $NP_SEL, %eax
        KFAULT mov %eax, %ds
        mov $0x70, %eax
        KFAULT mov %eax, %es
        mov $0x23, %eax
        KFAULT mov %eax, %ss
        mov $0x38, %eax
        KFAULT mov %eax, %fs
        mov $0x0C, %eax
        KFAULT mov %eax, %gs

        # 5. paging: supervisor write to read-only with WP, then without
        KFAULT movq $1, KERNEL_RO
        mov %cr0, %rax
        and $~0x10000, %eax
        mov %rax, %cr0
        movq $0x1234, KERNEL_RO
        mov KERNEL_RO, %rbx
        mov %cr0, %rax
        or $0x10000, %eax
        mov %rax, %cr0
        call kprint
        # SMEP: supervisor fetch from a user page
        movb $0xC3, USER_BASE + 0x1000
        mov %cr4, %rax
        bts $20, %rax
        mov %rax, %cr4
        KFAULT call USER_BASE + 0x1000
        mov %cr4, %rax
        btr $20, %rax
        mov %rax, %cr4
        call USER_BASE + 0x1000          # allowed again
        # SMAP: supervisor data access to a user page unless AC
        mov %cr4, %rax
        bts $21, %rax
        mov %rax, %cr4
        KFAULT mov USER_BASE, %rax
        KFAULT movq $5, USER_BASE + 0x1008
        stac
        mov USER_BASE, %rax
        movq $6, USER_BASE + 0x1008
        clac
        mov %cr4, %rax
        btr $21, %rax
        mov %rax, %cr4
        mov USER_BASE + 0x1008, %rbx
        call kprint
        # INVLPG: a changed PTE is seen after INVLPG
        mov USER_BASE + 0x2000, %rax
        movl $(0x800000 + 0x87), pd + 2 * 8   # USER_BASE now maps to the NX page's frame
        invlpg USER_BASE
        movq $0x77, 0x802000
        mov USER_BASE + 0x2000, %rbx
        movl $(0x400000 + 0x87), pd + 2 * 8
        invlpg USER_BASE
        mov USER_BASE + 0x2000, %rcx
        call kprint
        # non-present and NX from the kernel
        KFAULT mov UNMAPPED + 8, %rax
        movb $0xC3, USER_NX
        KFAULT call USER_NX
        ret

# ---- the user programs (copied to USER_BASE) --------------------------------------------------
        .balign 16
user_image:
u_main:
        mov $1, %eax
        mov $0x1111, %edi
        mov $0x2222, %esi
        syscall
        mov %rax, %rdi
        mov $2, %eax
        syscall
        mov $5, %eax
        int $0x80
        mov %rax, %rdi
        mov $3, %eax
        syscall
        mov %ds, %edi
        mov %ss, %esi
        mov $4, %eax
        syscall
        mov $0x10, %eax
        mov %rsp, %rcx
        lea 1f(%rip), %rdx
        sysenter
1:      mov %rax, %rdi
        mov %ss, %esi
        mov $5, %eax
        syscall
        int3
        FAULT cli
        FAULT sti
        FAULT hlt
        FAULT mov %cr0, %rax
        FAULT mov %cr3, %rax
        FAULT out %al, $0x70
        out %al, $0x80
        FAULT in $0x71, %al
        FAULT mov 0x100000, %rax
        FAULT movq $1, USER_RO
        movb $0xC3, USER_NX
        mov $USER_NX, %rax
        FAULT call *%rax
        FAULT mov UNMAPPED, %rax
        FAULT movq $2, UNMAPPED + 0x10
        FAULT movabs 0x8000000000000000, %rax
        FAULT int $0x81
        FAULT ud2
        mov $0, %ecx
        FAULT div %ecx
        FAULT swapgs
        FAULT wrmsr
        FAULT rdmsr
        FAULT lgdt (%rsp)
        FAULT invlpg (%rsp)
        FAULT wbinvd
        FAULT mov %dr7, %rax
        mov $KDATA, %eax
        FAULT mov %eax, %ds
        mov $0x20, %eax
        FAULT mov %eax, %ss
        mov $0x38, %eax
        FAULT mov %eax, %es
        mov $0x70, %eax
        FAULT mov %eax, %fs
        mov $0x1B, %eax
        FAULT mov %eax, %ds
        mov $UDATA, %eax
        mov %eax, %ds
        mov %eax, %es
        FAULT clac
        pushq $0x08
        pushq $0
        FAULT lretq
        pushfq
        pop %rdi
        mov $6, %eax
        syscall
        pushfq
        orq $0x100, (%rsp)
        popfq
        nop
        mov $1, %eax
        add %eax, %eax
        pushfq
        andq $~0x100, (%rsp)
        popfq
        nop
        str %ax
        movzwl %ax, %edi
        sldt %ax
        movzwl %ax, %esi
        mov $7, %eax
        syscall
        # to compatibility mode with SYSRET, INT 0x80 there, back to 64-bit mode with SYSENTER
        mov $0x32, %eax
        mov $(u_compat - user_image + USER_BASE), %edi
        syscall
        .code32
u_compat:
        mov $0x77, %eax
        int $0x80
        mov %cs, %ebx
        mov $0x10, %eax
        mov %esp, %ecx
        mov $(u_back64 - user_image + USER_BASE), %edx
        sysenter
        .code64
u_back64:
        mov %rbx, %rdi
        mov $9, %eax
        syscall
        mov $0xDEAD, %eax
        syscall

u_iopl:
        cli
        sti
        cli
        in $0x71, %al
        pushfq
        pop %rdi
        mov $8, %eax
        syscall
        mov $0xDEAD, %eax
        int $0x80
user_image_end:
