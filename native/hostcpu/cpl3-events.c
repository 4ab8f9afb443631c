/*
 * Runs x86-64 machine-code snippets at CPL 3 in this process and reports the CPU events they
 * raise, as Linux delivers them: one line per event "E <signal> <trap number> <error code>
 * <RIP offset in the snippet>", then "DONE" per snippet. Single-step traps (TF) and INT3 let
 * the snippet continue; any other event ends it. Input: one snippet per line, as hex bytes; each
 * is called as a function (it must end with RET).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static uint8_t *code;
static sigjmp_buf out;

static void handler(int sig, siginfo_t *si, void *ctx) {
    (void) si;
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    long trapno = g[REG_TRAPNO];
    printf("E %d %ld %lx %lx\n", sig, trapno, (unsigned long) g[REG_ERR],
           (unsigned long) ((uint8_t *) g[REG_RIP] - code));
    fflush(stdout);
    if (sig == SIGTRAP && (trapno == 1 || trapno == 3)) {
        return; /* a trap: continue after it (TF stays as the snippet left it) */
    }
    siglongjmp(out, 1);
}

static int hex(int c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

int main(void) {
    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
        sigaction(sigs[k], &sa, NULL);
    }
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = 0;
        for (char *p = line; p[0] && p[1] && p[0] != '\n'; p += 2) {
            code[n++] = (uint8_t) (hex(p[0]) << 4 | hex(p[1]));
        }
        if (n == 0) {
            continue;
        }
        if (sigsetjmp(out, 1) == 0) {
            ((void (*)(void)) code)();
        }
        printf("DONE\n");
        fflush(stdout);
    }
    return 0;
}
