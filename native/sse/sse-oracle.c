/*
 * sse-oracle: runs user-mode snippets on the host CPU in a plain Linux process, for the SSE/MMX
 * differential tests of the software VCPU (no /dev/kvm needed).
 *
 * Code runs at CODE_ADDR and its memory operands lie in the page at DATA_ADDR, both mapped at
 * fixed addresses so the software VCPU can lay out the same case identically.
 *
 * Protocol (little-endian binary, on stdin; results on stdout), per case:
 *   in : u32 magic 'SSEC', u32 code_len (<= 200), u8 code[200],
 *        u64 gpr[16] (x86 order rax rcx rdx rbx rsp rbp rsi rdi r8..r15; rsp ignored),
 *        u64 rflags, u8 fxsave[512] (loaded with FXRSTOR64), u8 mem[1024] (at DATA_ADDR)
 *   out: u32 magic 'SSER', i32 trap (-1: ran to the end, else the exception vector),
 *        u64 err (error code of the exception, 0 without), u64 gpr[16], u64 rflags,
 *        u8 fxsave[512] (FXSAVE64 after the snippet or at the fault), u8 mem[1024]
 * The snippet is followed by a jump back to the harness; a fault (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGTRAP) is caught and reported with the vector from ucontext REG_TRAPNO. After an
 * exception the registers and the FXSAVE image are those at the faulting instruction (MXCSR
 * with the flags the exception set). Stops at end of input.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_ADDR 0x10000000UL
#define DATA_ADDR 0x10010000UL
#define MAX_CODE 200
#define MEM_SIZE 1024

struct state {
    uint64_t gpr[16];     /* 0 */
    uint64_t rflags;      /* 128 */
    uint64_t pad[15];     /* 136 .. 256 */
    uint8_t fx[512];      /* 256, 16-byte aligned */
} __attribute__((aligned(64)));

struct state st;
volatile int trapno;
volatile uint64_t traperr;

void run_case(struct state *s, void *code);
extern char case_return[];

/* run_case(state, code): loads everything from *state, jumps to code; the code jumps back to
 * case_return, which stores everything and returns to the C caller. */
__asm__(
    ".text\n"
    ".globl run_case\n"
    "run_case:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  mov %rsp, saved_rsp(%rip)\n"
    "  mov %rdi, state_ptr(%rip)\n"
    "  mov %rsi, code_ptr(%rip)\n"
    "  fxrstor64 256(%rdi)\n"
    "  pushq 128(%rdi)\n popfq\n"
    "  mov 0(%rdi), %rax\n mov 8(%rdi), %rcx\n mov 16(%rdi), %rdx\n mov 24(%rdi), %rbx\n"
    "  mov 40(%rdi), %rbp\n mov 48(%rdi), %rsi\n"
    "  mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n"
    "  mov 96(%rdi), %r12\n mov 104(%rdi), %r13\n mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
    "  mov 56(%rdi), %rdi\n"
    "  jmp *code_ptr(%rip)\n"
    ".globl case_return\n"
    "case_return:\n"
    "  mov %rdi, tmp_rdi(%rip)\n"
    "  mov state_ptr(%rip), %rdi\n"
    "  mov %rax, 0(%rdi)\n mov %rcx, 8(%rdi)\n mov %rdx, 16(%rdi)\n mov %rbx, 24(%rdi)\n"
    "  mov %rbp, 40(%rdi)\n mov %rsi, 48(%rdi)\n"
    "  mov %r8, 64(%rdi)\n mov %r9, 72(%rdi)\n mov %r10, 80(%rdi)\n mov %r11, 88(%rdi)\n"
    "  mov %r12, 96(%rdi)\n mov %r13, 104(%rdi)\n mov %r14, 112(%rdi)\n mov %r15, 120(%rdi)\n"
    "  mov tmp_rdi(%rip), %rax\n mov %rax, 56(%rdi)\n"
    "  pushfq\n popq 128(%rdi)\n"
    "  fxsave64 256(%rdi)\n"
    "  mov saved_rsp(%rip), %rsp\n"
    "  fninit\n"
    "  pushq $0x1f80\n ldmxcsr (%rsp)\n add $8, %rsp\n"
    "  cld\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n"
    ".data\n"
    "saved_rsp: .quad 0\n"
    "state_ptr: .quad 0\n"
    "code_ptr: .quad 0\n"
    "tmp_rdi: .quad 0\n"
    ".text\n");

static void on_fault(int sig, siginfo_t *si, void *ctx) {
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
    traperr = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)case_return;
}

static int read_full(void *p, size_t n) {
    size_t got = 0;
    while (got < n) {
        size_t r = fread((char *)p + got, 1, n - got, stdin);
        if (r == 0) {
            return got == 0 ? 0 : -1;
        }
        got += r;
    }
    return 1;
}

int main(void) {
    uint8_t *code = mmap((void *)CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    uint8_t *data = mmap((void *)DATA_ADDR, 4096, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (code != (void *)CODE_ADDR || data != (void *)DATA_ADDR) {
        fprintf(stderr, "sse-oracle: cannot map the fixed code/data pages\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
        sigaction(sigs[k], &sa, NULL);
    }
    static uint8_t in[8 + MAX_CODE + 17 * 8 + 512 + MEM_SIZE];
    static uint8_t out[16 + 17 * 8 + 512 + MEM_SIZE];
    for (;;) {
        int r = read_full(in, sizeof in);
        if (r == 0) {
            break;
        }
        if (r < 0 || memcmp(in, "SSEC", 4) != 0) {
            fprintf(stderr, "sse-oracle: bad input\n");
            return 2;
        }
        uint32_t len;
        memcpy(&len, in + 4, 4);
        if (len > MAX_CODE) {
            fprintf(stderr, "sse-oracle: code too long\n");
            return 2;
        }
        size_t o = 8 + MAX_CODE;
        memcpy(st.gpr, in + o, 16 * 8);
        o += 16 * 8;
        memcpy(&st.rflags, in + o, 8);
        st.rflags &= 0xCD5; /* arithmetic flags and DF only */
        st.rflags |= 2;
        o += 8;
        memcpy(st.fx, in + o, 512);
        o += 512;
        memcpy(data, in + o, MEM_SIZE);
        memcpy(code, in + 8, len);
        /* jmp *0(%rip); .quad case_return */
        code[len] = 0xFF;
        code[len + 1] = 0x25;
        memset(code + len + 2, 0, 4);
        uint64_t back = (uint64_t)(uintptr_t)case_return;
        memcpy(code + len + 6, &back, 8);
        __builtin___clear_cache((char *)code, (char *)code + len + 14);
        trapno = -1;
        traperr = 0;
        run_case(&st, code);
        memcpy(out, "SSER", 4);
        int32_t t = trapno;
        memcpy(out + 4, &t, 4);
        uint64_t e = traperr;
        memcpy(out + 8, &e, 8);
        o = 16;
        memcpy(out + o, st.gpr, 16 * 8);
        o += 16 * 8;
        memcpy(out + o, &st.rflags, 8);
        o += 8;
        memcpy(out + o, st.fx, 512);
        o += 512;
        memcpy(out + o, data, MEM_SIZE);
        if (fwrite(out, 1, sizeof out, stdout) != sizeof out) {
            return 2;
        }
    }
    fflush(stdout);
    return 0;
}
