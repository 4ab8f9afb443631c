# Snippet library for instruction tests: every snippet is one instruction followed by HLT.
# The test loads operands into registers (and memory at RDI), sets RIP to the snippet's
# symbol, runs to the HLT exit and compares registers and flags with an independent model.
# zx4j-load-address: 0x2000
        .text
        .code64
        .globl _start
_start:
        hlt

.macro L name
        .globl \name
\name:
.endm

# One-instruction snippet. (Multi-instruction snippets use L and spell out their HLT, because
# a ';' would end the macro invocation.)
.macro SNIP name, insn:vararg
        .globl \name
\name:
        \insn
        hlt
.endm

# The eight ALU operations in every operand form.
.macro ALU op
        SNIP \op\()_b, \op %bl, %al
        SNIP \op\()_w, \op %bx, %ax
        SNIP \op\()_l, \op %ebx, %eax
        SNIP \op\()_q, \op %rbx, %rax
        SNIP \op\()_mq, \op %rbx, (%rdi)
        SNIP \op\()_qm, \op (%rdi), %rax
        SNIP \op\()_ml, \op %ebx, 8(%rdi,%rsi,4)
        SNIP \op\()_i8q, \op $-3, %rcx
        SNIP \op\()_i32q, \op $0x12345678, %rcx
        SNIP \op\()_i8b, \op $0x85, %cl
        SNIP \op\()_acc_l, \op $0x7fffffff, %eax
        SNIP \op\()_acc_b, \op $0x7f, %al
        SNIP \op\()_ah, \op %bh, %ah
        SNIP \op\()_sil, \op %dil, %sil
        SNIP \op\()_r9w, \op %r10w, %r9w
.endm
        ALU add
        ALU or
        ALU adc
        ALU sbb
        ALU and
        ALU sub
        ALU xor
        ALU cmp

        SNIP test_q, test %rbx, %rax
        SNIP test_b, test %bl, %al
        SNIP test_imm_l, test $0x80000001, %eax
        SNIP test_imm_m, testb $0x81, (%rdi)

.macro UNARY op
        SNIP \op\()_b, \op %al
        SNIP \op\()_w, \op %ax
        SNIP \op\()_l, \op %eax
        SNIP \op\()_q, \op %rax
        SNIP \op\()_mq, \op\()q (%rdi)
.endm
        UNARY inc
        UNARY dec
        UNARY neg
        UNARY not

.macro SHIFT op
        SNIP \op\()_cl_b, \op %cl, %al
        SNIP \op\()_cl_w, \op %cl, %ax
        SNIP \op\()_cl_l, \op %cl, %eax
        SNIP \op\()_cl_q, \op %cl, %rax
        SNIP \op\()_1_q, \op $1, %rax
        SNIP \op\()_1_b, \op $1, %al
        SNIP \op\()_imm_q, \op $13, %rax
        SNIP \op\()_imm_m, \op\()q $5, (%rdi)
.endm
        SHIFT shl
        SHIFT shr
        SHIFT sar
        SHIFT rol
        SHIFT ror
        SHIFT rcl
        SHIFT rcr

        SNIP mul_b, mul %bl
        SNIP mul_w, mul %bx
        SNIP mul_l, mul %ebx
        SNIP mul_q, mul %rbx
        SNIP imul1_b, imul %bl
        SNIP imul1_w, imul %bx
        SNIP imul1_l, imul %ebx
        SNIP imul1_q, imul %rbx
        SNIP imul2_q, imul %rbx, %rax
        SNIP imul2_l, imul %ebx, %eax
        SNIP imul2_w, imul %bx, %ax
        SNIP imul3_q, imul $-1000, %rbx, %rax
        SNIP imul3_l8, imul $7, %ebx, %eax
        SNIP div_b, div %bl
        SNIP div_w, div %bx
        SNIP div_l, div %ebx
        SNIP div_q, div %rbx
        SNIP idiv_b, idiv %bl
        SNIP idiv_w, idiv %bx
        SNIP idiv_l, idiv %ebx
        SNIP idiv_q, idiv %rbx

        # Moves and conversions.
        SNIP mov_imm64, movabs $0x123456789abcdef0, %r11
        SNIP mov_imm32_l, mov $0x89abcdef, %r12d
        SNIP mov_imm_sx, movq $-2, %r13
        SNIP mov_b_ah, mov %ah, %bl
        SNIP mov_b_sil, mov %sil, %r8b
        SNIP mov_w, mov %ax, %bx
        SNIP mov_l_zext, mov %eax, %ebx
        SNIP mov_load_q, mov 16(%rdi), %rax
        SNIP mov_store_l, mov %eax, -4(%rdi,%rsi,8)
        SNIP mov_store_imm_b, movb $0xa5, 3(%rdi)
        SNIP mov_store_imm_q, movq $-5, (%rdi)
        SNIP mov_rip_rel, mov rip_data(%rip), %rax
        SNIP movzx_bq, movzbq %bl, %rax
        SNIP movzx_wl, movzwl %bx, %eax
        SNIP movzx_bl_ah, movzbl %ah, %ecx
        SNIP movsx_bq, movsbq %bl, %rax
        SNIP movsx_wq, movswq %bx, %rax
        SNIP movsxd, movslq %ebx, %rax
        SNIP movsx_mem_bw, movsbw (%rdi), %ax
        SNIP cdqe, cltq
        SNIP cqo, cqto
        SNIP cdq, cltd
        SNIP cwde, cwtl
        SNIP lea_sib, lea 0x10(%rbx,%rcx,8), %rax
        SNIP lea_l, lea -1(%rbx,%rcx), %eax
        SNIP lea_rip, lea rip_data(%rip), %rax
        SNIP xchg_q, xchg %rbx, %rax
        SNIP xchg_l, xchg %ebx, %eax
        SNIP xchg_mem, xchg %rbx, (%rdi)
        SNIP xchg_r8, xchg %r8, %rax
        SNIP bswap_q, bswap %rax
        SNIP bswap_l, bswap %eax
        L push_pop
        push %rbx; pop %rax; hlt
        L push_imm
        pushq $-7; pop %rcx; hlt
        L push_mem
        pushq (%rdi); popq 8(%rdi); hlt
        L push_r12_pop_r13
        push %r12; pop %r13; hlt

        # Conditions: SETcc and CMOVcc for all 16 codes after a CMP of RAX with RBX.
.macro CC c
        L set\c
        cmp %rbx, %rax; set\c %cl; hlt
        L cmov\c
        cmp %rbx, %rax; cmov\c %rdx, %rcx; hlt
        L cmovd_\c
        cmp %rbx, %rax; cmov\c %edx, %ecx; hlt
.endm
        CC o
        CC no
        CC b
        CC ae
        CC e
        CC ne
        CC be
        CC a
        CC s
        CC ns
        CC p
        CC np
        CC l
        CC ge
        CC le
        CC g

        SNIP bsf_q, bsf %rbx, %rax
        SNIP bsr_q, bsr %rbx, %rax
        SNIP tzcnt_q, tzcnt %rbx, %rax
        SNIP bt_q, bt %rbx, %rax
        SNIP bts_imm, bts $33, %rax
        SNIP btr_q, btr %rbx, %rax
        SNIP btc_imm_l, btc $5, %eax
        SNIP shld_q, shld %cl, %rbx, %rax
        SNIP shrd_q, shrd $7, %rbx, %rax
        SNIP cmpxchg_q, cmpxchg %rbx, (%rdi)
        SNIP xadd_q, xadd %rbx, %rax
        SNIP lock_add, lock addq %rbx, (%rdi)
        L clc_stc_cmc
        clc; stc; cmc; hlt
        SNIP lahf, lahf
        SNIP sahf, sahf
        L pushf_popf
        pushfq; popq %rax; hlt
        L popf
        pushq %rbx; popfq; hlt
        L nops
        nop; nopw 0(%rax,%rax,1); nopl 0x12345678(%rax); xchg %ax, %ax; pause; hlt
        SNIP rep_movsb, rep movsb
        SNIP rep_stosb, rep stosb
        SNIP rep_movsq, rep movsq
        SNIP rep_stosq, rep stosq
        L std_rep_movsq
        std; rep movsq; cld; hlt
        SNIP repe_cmpsb, repe cmpsb
        SNIP repne_scasb, repne scasb
        SNIP lodsq, lodsq
        SNIP cpuid, cpuid
        SNIP rdtsc, rdtsc
        L cr_rw
        mov %cr0, %rax; mov %cr4, %rbx; mov %cr3, %rcx; hlt
        L cr0_write_read
        mov %rax, %cr0; mov %cr0, %rbx; hlt
        L cr4_write_read
        mov %rax, %cr4; mov %cr4, %rbx; hlt
        L loop3
        xor %eax, %eax; mov $3, %ecx; 1: inc %eax; loop 1b; hlt
        L jumps
        xor %eax, %eax; jmp 1f; inc %eax; 1: cmp $0, %eax; je 2f; inc %eax; 2: jne 3f; add $10, %eax; 3: nop; hlt
        L call_ret
        call 1f; add $100, %rax; jmp 2f; 1: add $1, %rax; ret; 2: nop; hlt
        L call_indirect
        lea 1f(%rip), %rbx; call *%rbx; jmp 2f; 1: mov $42, %eax; ret; 2: nop; hlt
        L jmp_table
        lea table(%rip), %rbx; jmp *(%rbx,%rcx,8); hlt
t0:     mov $100, %eax
        hlt
t1:     mov $101, %eax
        hlt
t2:     mov $102, %eax
        hlt
        .balign 8
table:  .quad t0, t1, t2
rip_data:
        .quad 0x1122334455667788
        L ret_imm
        call 1f; jmp 2f; 1: ret $16; 2: nop; hlt
        SNIP leave, leave
        SNIP leave_w, leavew
        SNIP enter_0, enter $0x20, $0
        SNIP enter_1, enter $0x10, $1
        SNIP enter_3, enter $0x08, $3
        L enter_leave
        enter $0x40, $0; mov %rsp, %r8; leave; hlt
        SNIP popcnt_q, popcnt %rbx, %rax
        SNIP popcnt_l, popcnt %ebx, %eax
        SNIP popcnt_w, popcnt %bx, %ax
        SNIP popcnt_m, popcntq (%rdi), %rax
        SNIP cmpxchg8b, cmpxchg8b (%rdi)
        SNIP lock_cmpxchg8b, lock cmpxchg8b (%rdi)
        SNIP cmpxchg16b, cmpxchg16b (%rdi)
        SNIP lock_cmpxchg16b, lock cmpxchg16b (%rdi)
        SNIP rdtscp, rdtscp
        SNIP rdmsr, rdmsr
        SNIP wrmsr, wrmsr

# exc_setup: a GDT and an IDT whose #UD, #GP and #PF gates lead to exc_handler, which records
# the vector in R14, the error code (0 for #UD) in R15, the faulting RIP in R13, and halts.
        L exc_setup
        push %rax; call load_gdt; lidt exc_idtr(%rip)
        mov $6, %edi; lea exc_ud(%rip), %rsi; call set_gate
        mov $13, %edi; lea exc_gp(%rip), %rsi; call set_gate
        mov $14, %edi; lea exc_pf(%rip), %rsi; call set_gate
        pop %rax; hlt
exc_ud: pushq $0
        mov $6, %r14d; jmp exc_handler
exc_gp: mov $13, %r14d; jmp exc_handler
exc_pf: mov $14, %r14d
exc_handler:
        pop %r15; mov (%rsp), %r13; hlt
        .include "idt64.inc"
        .include "gdt64.inc"
        .balign 8
exc_idtr:
        .word 32 * 16 - 1
        .quad idt
        .balign 16
idt:    .fill 32 * 16, 1, 0
