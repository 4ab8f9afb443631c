#!/usr/bin/env bash
# Builds the compiled C guests: every workload native/guests/c/<w>.c (one function
# `uint64_t work(uint64_t n)`) with gcc -O2, gcc -Os and, when clang is on PATH, clang -O2.
# Per variant <v> the outputs in <output-dir> are:
#   c-<w>-<v>.{bin,elf,sym}  guest image linked at 0x2000 with guest_start.S (entry _start;
#                            result via OUT 0xF0/0xF1 then HLT; N at symbol zx4j_n)
#   qemu/c-<w>-<v>           static Linux executable of the same object: `prog N REPS`
#   c-expected.txt           "<name> <N> <result>" lines: the same objects run natively on
#                            this machine's CPU (the hardware reference) for the Ns of params.txt
#   c-variants.txt           "<name> <test-N> <bench-N>" per built guest
#   c-skipped.txt            variants not built and why (e.g. clang missing)
#
# Usage: scripts/build-c-guests.sh [source-dir] [output-dir]
set -euo pipefail

src="${1:-native/guests/c}"
out="${2:-target/guests}"

if ! command -v gcc >/dev/null 2>&1; then
  echo "build-c-guests.sh: gcc not found on PATH; install gcc (e.g. apt-get install gcc)" \
       "to build the compiled C test guests" >&2
  exit 1
fi
for tool in ld objcopy nm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-c-guests.sh: GNU binutils tool '$tool' not found on PATH (apt-get install binutils)" >&2
    exit 1
  fi
done

flags=(-ffreestanding -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -fno-stack-protector
       -fno-asynchronous-unwind-tables -fno-unwind-tables -nostdlib -Wall -Werror)
ldflags=(-m elf_x86_64 -nostdlib -static -N --build-id=none)
ld --no-warn-rwx-segments -v >/dev/null 2>&1 && ldflags+=(--no-warn-rwx-segments)

variants=("gcc-O2:gcc:-O2" "gcc-Os:gcc:-Os")
mkdir -p "$out"
: > "$out/c-skipped.txt"
if command -v clang >/dev/null 2>&1; then
  variants+=("clang-O2:clang:-O2")
else
  echo "clang-O2 clang is not on PATH at build time" >> "$out/c-skipped.txt"
fi

# Skip the work when nothing it depends on changed: every file of the source directory, this
# script, the compilers and binutils versions, hashed into a stamp next to the outputs.
stamp="$out/.c-guests.stamp"
inputs="$( { cat "$0" "$src"/*; printf '%s\n' "${variants[@]}"; gcc --version | head -n1; \
             if command -v clang >/dev/null 2>&1; then clang --version | head -n1; fi; \
             ld --version | head -n1; ls "$src"; } | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && [ -s "$out/c-variants.txt" ] \
   && [ -s "$out/c-expected.txt" ] \
   && awk '{ print $1 }' "$out/c-variants.txt" | while read -r n; do
        [ -f "$out/$n.bin" ] && [ -f "$out/$n.elf" ] && [ -f "$out/$n.sym" ] \
          && [ -f "$out/qemu/$n" ] || exit 1
      done; then
  echo "build-c-guests.sh: $(wc -l < "$out/c-variants.txt") C guest(s) in $out are up to date"
  exit 0
fi
rm -f "$stamp"

obj="$out/c-obj"
mkdir -p "$obj" "$out/qemu"
workloads=$(awk '!/^#/ && NF >= 4 { print $1 }' "$src/params.txt")

# Support code shared by all variants (not part of the measured workloads).
gcc -O2 -fno-tree-loop-distribute-patterns "${flags[@]}" -c "$src/libc.c" -o "$obj/libc.o"
gcc -O2 "${flags[@]}" -c "$src/linux_main.c" -o "$obj/linux_main.o"
gcc -c "$src/linux_start.S" -o "$obj/linux_start.o"

: > "$obj/host_table.inc"
: > "$out/c-variants.txt"
queries="$obj/host-queries.txt"
: > "$queries"
hostobjs=()
for w in $workloads; do
  read -r testn extra benchn < <(awk -v w="$w" '$1 == w { print $2, $3, $4 }' "$src/params.txt")
  gcc -c -DZX4J_N="$testn" "$src/guest_start.S" -o "$obj/start-$w.o"
  # workloads marked "zx4j-fp" use floating point: SSE registers allowed, and a further
  # variant built for x86-64-v2 (SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT)
  wflags=("${flags[@]}")
  wvariants=("${variants[@]}")
  if grep -q 'zx4j-fp' "$src/$w.c"; then
    wflags=()
    for f in "${flags[@]}"; do [ "$f" = -mgeneral-regs-only ] || wflags+=("$f"); done
    wflags+=(-fno-math-errno)
    wvariants+=("gcc-O2-v2:gcc:-O2 -march=x86-64-v2")
  fi
  if [ "$w" = ldmath ]; then
    # 80-bit long double workload: x87 allowed, SSE not (every FP value stays on the x87 stack)
    wflags=("${wflags[@]/-mgeneral-regs-only/-mno-sse}")
  fi
  for spec in "${wvariants[@]}"; do
    IFS=: read -r v cc opt <<< "$spec"
    name="c-$w-$v"
    o="$obj/$name.o"
    # shellcheck disable=SC2086
    "$cc" $opt "${wflags[@]}" -c "$src/$w.c" -o "$o"
    # guest image: stub first so the image starts with _start at 0x2000
    ld "${ldflags[@]}" -Ttext=0x2000 -e _start -o "$out/$name.elf" "$obj/start-$w.o" "$o" "$obj/libc.o"
    objcopy -O binary "$out/$name.elf" "$out/$name.bin"
    nm -n "$out/$name.elf" | awk 'NF == 3 { print $1, $3 }' > "$out/$name.sym"
    if [ "$(awk '$2 == "_start" { print $1 }' "$out/$name.sym")" != "0000000000002000" ]; then
      echo "build-c-guests.sh: $name: _start is not at 0x2000 (image would load wrongly)" >&2
      exit 1
    fi
    # the same object as a Linux program for native / qemu-user timing
    ld -m elf_x86_64 -static --build-id=none -e _start -o "$out/qemu/$name" \
       "$obj/linux_start.o" "$obj/linux_main.o" "$o" "$obj/libc.o"
    # the same object, work renamed, for the native hardware reference
    sym="work_$(echo "$w-$v" | tr -c 'A-Za-z0-9\n' '_')"
    objcopy --redefine-sym "work=$sym" "$o" "$obj/host-$name.o"
    hostobjs+=("$obj/host-$name.o")
    echo "W($sym, \"$name\")" >> "$obj/host_table.inc"
    echo "$name $testn $benchn" >> "$out/c-variants.txt"
    for nn in $testn ${extra//,/ }; do
      echo "$name $nn" >> "$queries"
    done
  done
done

gcc -O2 -fno-pie -no-pie -I "$obj" "$src/host_main.c" "${hostobjs[@]}" -o "$obj/host-ref"
"$obj/host-ref" < "$queries" > "$out/c-expected.txt"
if [ "$(wc -l < "$out/c-expected.txt")" -ne "$(wc -l < "$queries")" ]; then
  echo "build-c-guests.sh: host reference did not answer every query" >&2
  exit 1
fi
echo "$inputs" > "$stamp"
echo "build-c-guests.sh: built $(wc -l < "$out/c-variants.txt") C guest(s) into $out"
