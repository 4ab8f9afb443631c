#!/usr/bin/env bash
# Times the compiled C workloads (the same object files as the X86Cpu guests, linked as static
# Linux programs by scripts/build-c-guests.sh into java/zx4j/target/guests/qemu/) natively and under
# qemu-user, and prints guest instructions per second for qemu, for comparison with
# GuestMipsBench (the software VCPU).
#
# Instructions per work(N) call are counted once natively with valgrind's callgrind (the
# difference between a run with 1 call and one with 0 calls); perf counters are not available
# on these machines. Each program is run as `prog N REPS` with N = bench-N of params.txt and
# REPS doubled until the qemu run takes >= MIN_SECONDS; the time of a REPS=0 run (process
# start-up) is subtracted.
#
# Usage: scripts/bench-qemu.sh [name-regex] [guest-dir]   (default: gcc-O2 variants, java/zx4j/target/guests)
# Needs qemu-x86_64 (apt-get install qemu-user) and valgrind; not needed by the test suite.
set -euo pipefail

filter="${1:--gcc-O2$}"
dir="${2:-java/zx4j/target/guests}"
min_seconds="${MIN_SECONDS:-0.5}"

for tool in qemu-x86_64 valgrind; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench-qemu.sh: $tool not found (apt-get install qemu-user valgrind)" >&2
    exit 1
  fi
done
if [ ! -f "$dir/c-variants.txt" ]; then
  echo "bench-qemu.sh: $dir/c-variants.txt missing; build first (mvn -o test-compile)" >&2
  exit 1
fi

now() { date +%s%N; }
# seconds (float) of one run of "$@"
timed() { local t0 t1; t0=$(now); "$@" > /dev/null; t1=$(now); echo "scale=6; ($t1 - $t0) / 1000000000" | bc; }
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-22s %9s %14s %6s %10s %10s %10s %10s\n' variant N instr/call reps qemu_s native_s qemu_MIPS native_MIPS
while read -r name testn benchn; do
  [[ "$name" =~ $filter ]] || continue
  prog="$dir/qemu/$name"
  r_native=$("$prog" "$benchn" 1)
  r_qemu=$(qemu-x86_64 "$prog" "$benchn" 1)
  if [ "$r_native" != "$r_qemu" ]; then
    echo "bench-qemu.sh: $name: qemu result $r_qemu differs from native $r_native" >&2
    exit 1
  fi
  per_call=$(( $(count "$prog" "$benchn" 1) - $(count "$prog" "$benchn" 0) ))
  q0=$(timed qemu-x86_64 "$prog" "$benchn" 0)
  n0=$(timed "$prog" "$benchn" 0)
  reps=1
  while :; do
    tq=$(timed qemu-x86_64 "$prog" "$benchn" "$reps")
    if [ "$(echo "$tq >= $min_seconds" | bc)" = 1 ]; then break; fi
    reps=$((reps * 2))
  done
  tn=$(timed "$prog" "$benchn" "$reps")
  instr=$((per_call * reps))
  qm=$(echo "scale=1; $instr / ($tq - $q0) / 1000000" | bc)
  nm=$(echo "scale=1; $instr / ($tn - $n0) / 1000000" | bc)
  printf '%-22s %9s %14s %6s %10s %10s %10s %10s\n' "$name" "$benchn" "$per_call" "$reps" "$tq" "$tn" "$qm" "$nm"
done < "$dir/c-variants.txt"
