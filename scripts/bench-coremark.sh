#!/usr/bin/env bash
# Builds EEMBC CoreMark for the software VCPU and as a static Linux program from the same object
# files, checks that both give the same result, and times the Linux program natively and under
# qemu-user. The guest side is timed by CoreMarkBench (JMH). CoreMark's source is not part of
# this project: it is cloned at bench time (or taken from COREMARK_SRC) into target/coremark/src.
#
# Our own port layer (written here into target/coremark/port): no timer (the host times the
# runs), seeds 0, 0, 0x66 (the performance run) from volatile variables, the iteration count from
# work(n), static memory, and an ee_printf that folds everything CoreMark prints (the CRCs, the
# error count, the parameters) into one 64-bit FNV-1a hash: `work(n)` returns it. Native, qemu
# and guest results must agree.
#
# Outputs (target/coremark/): guests/coremark-gcc-O2.{bin,elf,sym} (image at 0x2000, entry
# _start, like the compiled C guests), qemu/coremark-gcc-O2 (`prog N REPS`), build.txt (source
# commit, compiler, exact flags), and on stdout the native and qemu-user iterations per second.
#
# Usage: scripts/bench-coremark.sh [iterations-per-call]      (default 2000)
# Needs gcc, binutils, git (or COREMARK_SRC), qemu-x86_64 for the qemu figure.
set -euo pipefail

n="${1:-2000}"
out=target/coremark
src="${COREMARK_SRC:-$out/src}"
repo=https://github.com/eembc/coremark.git
min_seconds="${MIN_SECONDS:-1}"

mkdir -p "$out"
if [ ! -f "$src/core_main.c" ]; then
  git clone -q --depth 1 "$repo" "$src"
fi
commit=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo "${COREMARK_COMMIT:-unknown}")

port="$out/port"
mkdir -p "$port" "$out/obj" "$out/guests" "$out/qemu"
cat > "$port/core_portme.h" <<'EOF'
/* zx4j port of CoreMark: freestanding, no timer, seeds from volatiles, static memory. */
#ifndef CORE_PORTME_H
#define CORE_PORTME_H
#include <stddef.h>
#define HAS_FLOAT 0
#define HAS_TIME_H 0
#define USE_CLOCK 0
#define HAS_STDIO 0
#define HAS_PRINTF 0
#define SEED_METHOD SEED_VOLATILE
#define MEM_METHOD MEM_STATIC
#define MULTITHREAD 1
#define MAIN_HAS_NOARGC 1
#define MAIN_HAS_NORETURN 0
#define MEM_LOCATION "STATIC"
#ifndef COMPILER_VERSION
#define COMPILER_VERSION "GCC" __VERSION__
#endif
#ifndef COMPILER_FLAGS
#define COMPILER_FLAGS FLAGS_STR
#endif
typedef signed short ee_s16;
typedef unsigned short ee_u16;
typedef signed int ee_s32;
typedef unsigned char ee_u8;
typedef unsigned int ee_u32;
typedef unsigned long ee_ptr_int;
typedef size_t ee_size_t;
#define align_mem(x) (void *)(4 + (((ee_ptr_int)(x)-1) & ~3))
#define CORETIMETYPE ee_u32
typedef ee_u32 CORE_TICKS;
typedef struct CORE_PORTABLE_S { ee_u8 portable_id; } core_portable;
void portable_init(core_portable *p, int *argc, char *argv[]);
void portable_fini(core_portable *p);
extern ee_u32 default_num_contexts;
int ee_printf(const char *fmt, ...);
#if !defined(PROFILE_RUN) && !defined(PERFORMANCE_RUN) && !defined(VALIDATION_RUN)
#define PERFORMANCE_RUN 1
#endif
#endif
EOF
cat > "$port/core_portme.c" <<'EOF'
/* zx4j port of CoreMark: the glue CoreMark asks of a port, and work(n) for the guest stub. */
#include <stdarg.h>
#include <stdint.h>
#include "coremark.h"

volatile ee_s32 seed1_volatile = 0x0;
volatile ee_s32 seed2_volatile = 0x0;
volatile ee_s32 seed3_volatile = 0x66;
volatile ee_s32 seed4_volatile = 1;
volatile ee_s32 seed5_volatile = 0;
ee_u32 default_num_contexts = 1;

static uint64_t hash;

static void fold(uint64_t v) { hash = (hash ^ v) * 0x100000001b3ULL; }

/* Folds the format's characters and every converted value into the hash; prints nothing. */
int ee_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') { fold((unsigned char)*p); continue; }
        int longs = 0;
        p++;
        while (*p == '-' || *p == '0' || (*p >= '1' && *p <= '9')) p++;
        while (*p == 'l') { longs++; p++; }
        if (*p == 's') {
            for (const char *s = va_arg(ap, const char *); *s; s++) fold((unsigned char)*s);
        } else if (*p == 'd' || *p == 'i' || *p == 'u' || *p == 'x' || *p == 'X' || *p == 'c') {
            fold(longs ? (uint64_t)va_arg(ap, unsigned long) : (uint64_t)va_arg(ap, unsigned int));
        } else if (*p == '\0') {
            break;
        } else {
            fold((unsigned char)*p);
        }
    }
    va_end(ap);
    return 0;
}

void start_time(void) {}
void stop_time(void) {}
CORE_TICKS get_time(void) { return 0; }
secs_ret time_in_secs(CORE_TICKS ticks) { return (secs_ret)ticks; }
void portable_init(core_portable *p, int *argc, char *argv[]) { (void)argc; (void)argv; p->portable_id = 1; }
void portable_fini(core_portable *p) { p->portable_id = 0; }

int coremark_main(void);

/* n CoreMark iterations (performance-run seeds); returns the hash of everything printed. */
uint64_t work(uint64_t n)
{
    seed4_volatile = (ee_s32)n;
    hash = 0xcbf29ce484222325ULL;
    coremark_main();
    return hash;
}
EOF

c=native/guests/c
cc=gcc
opt=-O2
flags=(-ffreestanding -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -fno-stack-protector
       -fno-asynchronous-unwind-tables -fno-unwind-tables -nostdlib -fno-builtin
       -fno-tree-loop-distribute-patterns)
defs=(-DPERFORMANCE_RUN=1 -DITERATIONS=0 "-DFLAGS_STR=\"$opt\"" -Dmain=coremark_main)
ldflags=(-m elf_x86_64 -nostdlib -static -N --build-id=none)
ld --no-warn-rwx-segments -v >/dev/null 2>&1 && ldflags+=(--no-warn-rwx-segments)

objs=()
for f in core_list_join core_main core_matrix core_state core_util; do
  "$cc" "$opt" "${flags[@]}" "${defs[@]}" -I "$port" -I "$src" -c "$src/$f.c" -o "$out/obj/$f.o"
  objs+=("$out/obj/$f.o")
done
"$cc" "$opt" "${flags[@]}" "${defs[@]}" -I "$port" -I "$src" -c "$port/core_portme.c" -o "$out/obj/core_portme.o"
objs+=("$out/obj/core_portme.o")
gcc -O2 "${flags[@]}" -c "$c/libc.c" -o "$out/obj/libc.o"
gcc -c -DZX4J_N="$n" "$c/guest_start.S" -o "$out/obj/guest_start.o"
gcc -O2 "${flags[@]}" -c "$c/linux_main.c" -o "$out/obj/linux_main.o"
gcc -c "$c/linux_start.S" -o "$out/obj/linux_start.o"

name=coremark-gcc-O2
ld "${ldflags[@]}" -Ttext=0x2000 -e _start -o "$out/guests/$name.elf" "$out/obj/guest_start.o" \
   "${objs[@]}" "$out/obj/libc.o"
objcopy -O binary "$out/guests/$name.elf" "$out/guests/$name.bin"
nm -n "$out/guests/$name.elf" | awk 'NF == 3 { print $1, $3 }' > "$out/guests/$name.sym"
ld -m elf_x86_64 -static --build-id=none -e _start -o "$out/qemu/$name" \
   "$out/obj/linux_start.o" "$out/obj/linux_main.o" "${objs[@]}" "$out/obj/libc.o"

{
  echo "source: $repo @ $commit"
  echo "compiler: $($cc --version | head -n1)"
  echo "flags: $opt ${flags[*]} ${defs[*]}"
  echo "iterations per call: $n"
} > "$out/build.txt"
cat "$out/build.txt"

prog="$out/qemu/$name"
native=$("$prog" "$n" 1)
echo "native result for $n iterations: $native"
echo "$name $n $native" > "$out/expected.txt"

now() { date +%s%N; }
timed() { local t0 t1; t0=$(now); "$@" > /dev/null; t1=$(now); echo "scale=6; ($t1 - $t0) / 1000000000" | bc; }
rate() { # iterations per second of "$@" N REPS, REPS doubled until >= min_seconds
  local reps=1 t t0
  t0=$(timed "$@" "$n" 0)
  while :; do
    t=$(timed "$@" "$n" "$reps")
    if [ "$(echo "$t >= $min_seconds" | bc)" = 1 ]; then break; fi
    reps=$((reps * 2))
  done
  echo "scale=1; $n * $reps / ($t - $t0)" | bc
}
echo "native: $(rate "$prog") iterations/s"
if command -v qemu-x86_64 >/dev/null 2>&1; then
  q=$(qemu-x86_64 "$prog" "$n" 1)
  if [ "$q" != "$native" ]; then
    echo "bench-coremark.sh: qemu-user result $q differs from native $native" >&2
    exit 1
  fi
  echo "qemu-user: $(rate qemu-x86_64 "$prog") iterations/s"
else
  echo "qemu-user: qemu-x86_64 not found (apt-get install qemu-user)"
fi
