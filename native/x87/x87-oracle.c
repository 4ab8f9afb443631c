// x87-oracle: runs x87 instruction snippets on the host CPU in a plain Linux process and
// reports the resulting state; the hardware reference of the x87 differential tests
// (dev.zx4j.sim.x86.diff.X87DifferentialTest, scripts/gen-x87-vectors.sh).
//
// stdin: records of IN_SIZE bytes, stdout: one record of OUT_SIZE bytes per input record.
//   in  +0   code[32]    the snippet (the oracle appends RET); runs at CODE_ADDR
//       +32  u64 rax     RAX before (FNSTSW AX writes it)
//       +40  u64 rflags  RFLAGS before (arithmetic flags only; FCMOVcc reads them)
//       +48  u8[108]     the x87 state before, as FNSAVE stores it (32-bit format), loaded by FRSTOR
//       +160 u8[128]     memory at MEM_ADDR before; RDI = MEM_ADDR while the snippet runs
//   out +0   i32 trap    -1, or the exception vector (REG_TRAPNO) when the snippet faulted
//       +4   i32 signal  the signal that reported it (0 if none)
//       +8   u64 err     REG_ERR of the fault
//       +32  u64 rax, +40 u64 rflags, +48 u8[108] FNSAVE image after, +160 u8[128] memory after
//       +320 u8[512]     at a fault: the FXSAVE image the kernel handed the signal handler
// Each snippet runs as: FRSTOR state; load RAX, RFLAGS, RDI; snippet; store RFLAGS, RAX; FNSAVE.
// A case during which the process was switched out is run again: the kernel's XSAVE/XRSTOR of
// the x87 state on AMD processors does not keep FIP/FDP/FOP while no exception is pending, so a
// context switch inside a case would show up as a cleared data pointer. The kernel can save the
// state without switching too (for its own use of the FPU), so a result counts only when two
// switch-free runs in a row give the same record.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#define IN_SIZE 320
#define OUT_SIZE 832
#define CODE_ADDR 0x10000000UL
#define MEM_ADDR 0x20000000UL

extern void x87_run(uint8_t *ctx, void *code);
__asm__(
    ".text\n"
    ".globl x87_run\n"
    "x87_run:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rdi, %r12\n"
    "  mov %rsi, %r13\n"
    "  frstor 48(%r12)\n"
    "  mov 32(%r12), %rax\n"
    "  pushq 40(%r12)\n"
    "  popfq\n"
    "  mov $0x20000000, %rdi\n"
    "  call *%r13\n"
    "  pushfq\n"
    "  popq 40(%r12)\n"
    "  mov %rax, 32(%r12)\n"
    "  fnsave 48(%r12)\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n");

static sigjmp_buf jb;
static volatile int trapno, signo;
static volatile uint64_t errcode;
static uint8_t fx[512];

static void handler(int sig, siginfo_t *si, void *ucv) {
    (void)si;
    ucontext_t *uc = ucv;
    signo = sig;
    trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
    errcode = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
    if (uc->uc_mcontext.fpregs) {
        memcpy(fx, uc->uc_mcontext.fpregs, 512);
    } else {
        memset(fx, 0, sizeof fx);
    }
    siglongjmp(jb, 1);
}

int main(void) {
    uint8_t *code = mmap((void *)CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    uint8_t *mem = mmap((void *)MEM_ADDR, 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (code != (void *)CODE_ADDR || mem != (void *)MEM_ADDR) {
        fprintf(stderr, "x87-oracle: cannot map the code and data pages at their fixed addresses\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        sigaction(sigs[i], &sa, NULL);
    }
    static uint8_t in[IN_SIZE], out[OUT_SIZE], ctx[IN_SIZE];
    for (;;) {
        size_t n = fread(in, 1, IN_SIZE, stdin);
        if (n == 0) {
            break;
        }
        if (n != IN_SIZE) {
            fprintf(stderr, "x87-oracle: short record (%zu bytes)\n", n);
            return 2;
        }
        // A result is taken when two runs in a row without a context switch agree: the kernel
        // may also save the FPU state without switching (kernel_fpu_begin in an interrupt), which
        // on AMD loses FIP/FDP/FOP as a switch does, and only the run it hits shows it.
        static uint8_t prev[OUT_SIZE];
        volatile int have_prev = 0;
        for (volatile int attempt = 0; attempt < 40; attempt++) {
            struct rusage before, after;
            getrusage(RUSAGE_SELF, &before);
            memcpy(code, in, 32);
            code[32] = 0xC3; // ret, also when the snippet fills all 32 bytes
            memcpy(mem, in + 160, 128);
            memcpy(ctx, in, IN_SIZE);
            memset(out, 0, OUT_SIZE);
            trapno = -1;
            signo = 0;
            errcode = 0;
            if (sigsetjmp(jb, 1) == 0) {
                x87_run(ctx, code);
            } else {
                __asm__ volatile("fninit");
                memcpy(out + 320, fx, 512);
            }
            getrusage(RUSAGE_SELF, &after);
            int32_t t = trapno, s = signo;
            uint64_t e = errcode;
            memcpy(out, &t, 4);
            memcpy(out + 4, &s, 4);
            memcpy(out + 8, &e, 8);
            memcpy(out + 32, ctx + 32, 16);
            memcpy(out + 48, ctx + 48, 108);
            memcpy(out + 160, mem, 128);
            if (after.ru_nvcsw != before.ru_nvcsw || after.ru_nivcsw != before.ru_nivcsw) {
                have_prev = 0;
                continue;
            }
            if (have_prev && memcmp(prev, out, OUT_SIZE) == 0) {
                break;
            }
            memcpy(prev, out, OUT_SIZE);
            have_prev = 1;
        }
        if (fwrite(out, 1, OUT_SIZE, stdout) != OUT_SIZE) {
            return 3;
        }
    }
    return 0;
}
