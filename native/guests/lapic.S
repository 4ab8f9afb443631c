# Guests for the in-kernel local APIC, interrupt injection, kvmclock and CPUID tests
# (LocalApicConformanceTest). Each entry point is a separate program started at its symbol on a
# boot VCPU (64-bit mode, identity-mapped memory, stack at 0x80000).
#
# Port protocol (all IO-trapped by the test):
#   0x10  progress marker in AL
#   0x12  a handler reports its vector in EAX (4-byte OUT), then returns (IRETQ)
#   0x14  the main loop ran after a HLT
#   0x16  a 4-byte result in EAX
# zx4j-load-address: 0x2000
        .text
        .code64
        .globl irq_wait, sti_then_mem_trap, cpuid_features, read_write_state
        .globl oneshot_timer, periodic_timer, tsc_deadline_timer, kvmclock_register
        .globl kvmclock_calibrate, wrmsr_then_report, rdmsr_then_report, triple_fault
        .globl bad_vector_wait, timer_wake

        .set MEM_TRAP, 0x1000000
        .set KVM_SYSTEM_TIME, 0x4B564D01
        .set PVTI, 0x90000              # the pvclock_vcpu_time_info struct

# setup: GDT, IDT with reporting handlers for vectors 2, 13, 16, 32, 48, 0x40, 0x41. Clobbers
# RAX, RDX, RSI, RDI. The test starts every program with RSP = 0x80000.
setup:
        call load_gdt
        lidt idtr(%rip)
        mov $2, %edi
        lea h2(%rip), %rsi
        call set_gate
        mov $13, %edi
        lea h13(%rip), %rsi
        call set_gate
        mov $16, %edi
        lea h16(%rip), %rsi
        call set_gate
        mov $32, %edi
        lea h32(%rip), %rsi
        call set_gate
        mov $48, %edi
        lea h48(%rip), %rsi
        call set_gate
        mov $0x40, %edi
        lea h40(%rip), %rsi
        call set_gate
        mov $0x41, %edi
        lea h41(%rip), %rsi
        call set_gate
        ret

# Interrupts enabled, then: ready (0x10 = 1), and forever: HLT, report 0x14.
irq_wait:
        call setup
        sti
        mov $1, %al
        out %al, $0x10
1:      hlt
        out %al, $0x14
        jmp 1b

# Vectors 21..31 are pending: the guest never sees them (enter fails).
bad_vector_wait:
        call setup
        sti
        mov $1, %al
        out %al, $0x10
        hlt
        out %al, $0x14

# STI, then a store to a MEM trap inside the STI shadow; then report 0x10 = 2 and wait.
sti_then_mem_trap:
        call setup
        cli
        mov $1, %al
        out %al, $0x10
        sti
        movl $1, MEM_TRAP
        mov $2, %al
        out %al, $0x10
1:      hlt
        out %al, $0x14
        jmp 1b

# CPUID features the kernel guarantees (Zircon's cpuid_features test): TSC-deadline and
# x2APIC (leaf 1 ECX bits 24, 21), SEP (leaf 1 EDX bit 11), the hypervisor bit (ECX 31), and
# the KVM leaves. Reports 0x10 = 1 on success, 0x10 = 0xEE on failure.
cpuid_features:
        mov $1, %eax
        cpuid
        bt $24, %ecx
        jnc 9f
        bt $21, %ecx
        jnc 9f
        bt $31, %ecx
        jnc 9f
        bt $11, %edx
        jnc 9f
        mov $0x40000000, %eax
        cpuid
        cmp $0x40000001, %eax
        jne 9f
        cmp $0x4b4d564b, %ebx
        jne 9f
        mov $0x40000001, %eax
        cpuid
        cmp $0xb, %eax
        jne 9f
        mov $1, %al
        out %al, $0x10
        hlt
9:      mov $0xee, %al
        out %al, $0x10
        hlt

# Zircon's vcpu_read_write_state: doubles every register, then sets RFLAGS to CF | AC.
read_write_state:
        add %rax, %rax
        add %rcx, %rcx
        add %rdx, %rdx
        add %rbx, %rbx
        add %rsp, %rsp
        add %rbp, %rbp
        add %rsi, %rsi
        add %rdi, %rdi
        add %r8, %r8
        add %r9, %r9
        add %r10, %r10
        add %r11, %r11
        add %r12, %r12
        add %r13, %r13
        add %r14, %r14
        add %r15, %r15
        mov %rsp, saved_rsp(%rip)
        lea stack_top(%rip), %rsp
        pushq $0x40003
        popfq
        mov saved_rsp(%rip), %rsp
        out %al, $0x10

# One-shot LVT timer: divide by 1 (TDCR 0xB), vector 0x40, TMICT = EDI (set by the test),
# then ready and the HLT loop.
oneshot_timer:
        call setup
        mov $0x83e, %ecx
        mov $0xb, %eax
        xor %edx, %edx
        wrmsr
        mov $0x832, %ecx
        mov $0x40, %eax
        wrmsr
        mov $0x838, %ecx
        mov %r8d, %eax
        wrmsr
        sti
        mov $1, %al
        out %al, $0x10
1:      hlt
        out %al, $0x14
        jmp 1b

# Periodic LVT timer, divide by 2 (TDCR 0), vector 0x41, TMICT = R8D; the 0x41 handler counts
# in R12 and masks the timer at the third tick.
periodic_timer:
        call setup
        xor %r12d, %r12d
        mov $0x83e, %ecx
        xor %eax, %eax
        xor %edx, %edx
        wrmsr
        mov $0x838, %ecx
        mov %r8d, %eax
        wrmsr
        mov $0x832, %ecx
        mov $0x20041, %eax
        wrmsr
        sti
        mov $1, %al
        out %al, $0x10
1:      hlt
        jmp 1b

# TSC-deadline timer, vector 0x40: deadline = RDTSC + R8 (ticks); reports the deadline written
# in EAX:EDX order through 0x16 (low) and 0x17 (high), then waits.
tsc_deadline_timer:
        call setup
        mov $0x832, %ecx
        mov $0x40040, %eax
        xor %edx, %edx
        wrmsr
        rdtsc
        shl $32, %rdx
        or %rdx, %rax
        add %r8, %rax
        mov %rax, %r9
        mov %rax, %rdx
        shr $32, %rdx
        mov $0x6e0, %ecx
        wrmsr
        mov %r9d, %eax
        out %eax, $0x16
        mov %r9, %rax
        shr $32, %rax
        out %eax, $0x16
        sti
1:      hlt
        out %al, $0x14
        jmp 1b

# Registers kvmclock at PVTI, then reports 0x10 = 1 twice (two entries).
kvmclock_register:
        mov $KVM_SYSTEM_TIME, %ecx
        mov $PVTI | 1, %eax
        xor %edx, %edx
        wrmsr
        mov $1, %al
        out %al, $0x10
        out %al, $0x10
        hlt

# Calibrates the TSC against kvmclock:
#  1. as Linux's pvclock_tsc_khz: kHz = (10^6 << 32) / tsc_mul, shifted by -tsc_shift;
#     reported through 0x16;
#  2. by measurement: two (tsc_timestamp, system_time) samples taken at two entries (the VMM
#     moves the clock between them); kHz = dTSC * 10^6 / dns, reported through 0x16.
# Each sample is read with the version protocol (retry while odd or changed).
kvmclock_calibrate:
        mov $0x80000, %rsp
        mov $KVM_SYSTEM_TIME, %ecx
        mov $PVTI | 1, %eax
        xor %edx, %edx
        wrmsr
        # 1. the scale factor
        mov PVTI + 24, %ecx             # tsc_mul
        movsbl PVTI + 28, %esi          # tsc_shift
        mov $1000000, %rax
        shl $32, %rax
        xor %edx, %edx
        div %rcx
        test %esi, %esi
        js 2f
        mov %esi, %ecx
        shr %cl, %rax
        jmp 3f
2:      neg %esi
        mov %esi, %ecx
        shl %cl, %rax
3:      out %eax, $0x16
        # 2. two samples
        call sample
        mov %rax, %r12                  # tsc_timestamp 0
        mov %rdx, %r13                  # system_time 0
        mov $1, %al
        out %al, $0x10                  # the VMM advances the clock here
        call sample
        sub %r12, %rax                  # dTSC
        sub %r13, %rdx                  # dns
        mov %rdx, %rcx
        mov $1000000, %rdx
        mul %rdx                        # RDX:RAX = dTSC * 10^6
        div %rcx
        out %eax, $0x16
        hlt

# sample: RAX = tsc_timestamp, RDX = system_time, read consistently.
sample:
1:      mov PVTI, %r8d                  # version
        test $1, %r8d
        jnz 1b
        lfence
        mov PVTI + 8, %rax
        mov PVTI + 16, %rdx
        lfence
        cmp PVTI, %r8d
        jne 1b
        ret

# WRMSR ECX <- EDX:EAX (set by the test), then report 0x10 = 1 and EAX (R8 = 0x5A marker).
wrmsr_then_report:
        call setup
        mov %r9d, %ecx
        mov %r10d, %eax
        mov %r11d, %edx
        wrmsr
        mov $1, %al
        out %al, $0x10
        hlt

# RDMSR of ECX = R9D; reports 0x10 = 1 with EDX:EAX in RDX:RAX (the #GP handler reports 13).
rdmsr_then_report:
        call setup
        mov %r9d, %ecx
        mov $0x1111111111111111, %rax
        mov $0x2222222222222222, %rdx
        rdmsr
        mov %rax, %r14
        mov $1, %al
        out %al, $0x10
        hlt

# The wake-up benchmark (TimerWakeBench): forever, arm the TSC-deadline timer R8 ticks ahead
# (vector 0x42, whose handler only returns), HLT until it fires, report through 0x18.
timer_wake:
        call setup
        mov $0x42, %edi
        lea h42(%rip), %rsi
        call set_gate
        mov $0x832, %ecx
        mov $0x40042, %eax
        xor %edx, %edx
        wrmsr
        mov $0x6e0, %ecx
1:      rdtsc
        shl $32, %rdx
        or %rdx, %rax
        add %r8, %rax
        mov %rax, %rdx
        shr $32, %rdx
        wrmsr
        sti
        hlt
        cli
        out %al, $0x18
        jmp 1b

# An empty IDT: #UD -> #GP -> #DF -> shutdown.
triple_fault:
        mov $0x80000, %rsp
        call load_gdt
        lidt idtr_empty(%rip)
        ud2
        hlt

        .include "idt64.inc"
        .include "gdt64.inc"

h2:     push %rax
        mov $2, %eax
        out %eax, $0x12
        pop %rax
        iretq
h42:    iretq
h13:    add $8, %rsp                    # error code
        push %rax
        mov $13, %eax
        out %eax, $0x12
        pop %rax
        addq $2, (%rsp)                 # skip the 2-byte RDMSR/WRMSR
        iretq
h16:    push %rax
        mov $16, %eax
        out %eax, $0x12
        pop %rax
        iretq
h32:    push %rax
        mov $32, %eax
        out %eax, $0x12
        pop %rax
        iretq
h48:    push %rax
        mov $48, %eax
        out %eax, $0x12
        pop %rax
        iretq
h40:    push %rax
        mov $0x40, %eax
        out %eax, $0x12
        pop %rax
        iretq
h41:    push %rax
        push %rcx
        push %rdx
        inc %r12
        mov $0x41, %eax
        out %eax, $0x12
        cmp $3, %r12
        jne 1f
        mov $0x832, %ecx                # third tick: mask the periodic timer
        mov $0x30041, %eax
        xor %edx, %edx
        wrmsr
1:      pop %rdx
        pop %rcx
        pop %rax
        iretq

        .balign 8
saved_rsp:
        .quad 0
idtr:   .word 256 * 16 - 1
        .quad idt
idtr_empty:
        .word 0
        .quad idt
        .balign 16
        .fill 64, 1, 0
stack_top:
        .balign 16
idt:    .fill 256 * 16, 1, 0
