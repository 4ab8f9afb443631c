#!/usr/bin/env bash
# Boot-time benchmark: the same Debian kernel and busybox initramfs (scripts/fetch-linux-guest.sh,
# target/linux/) booted to userspace and powered off, on the zx4j runner (software VCPU,
# simulated kernel) and on QEMU's TCG, interleaved in one run so both see the same machine
# load. Prints each run's wall time, the medians and their ratio (runner / QEMU).
#
# Both get "console=ttyS0 quiet panic=-1 zx4j.poweroff": the last word makes the initramfs's
# /init power off as soon as it has printed its first line, so a run measures boot to userspace
# plus power-off. QEMU runs as
#   qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot -kernel … -initrd … -append …
# (through SeaBIOS and the 16-bit boot path); the runner enters the kernel in 64-bit mode with
# 256 MiB and --vcpus VCPUS.
#
# Usage: scripts/bench-linux-boot.sh [ROUNDS] [VCPUS] [TIME_LIMIT]   (default 3 1 600s)
# With BASE_CLASSES=DIR (the classes of another build, e.g. an older commit: the runner's and the
# library's classes in one directory), each round also boots that build, in the same interleaving
# (DIR goes first on the class path), and its median and ratio are printed too.
# Needs: qemu-system-x86_64 (it compiles the runner first). Not run by the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds="${1:-3}"
vcpus="${2:-1}"
limit="${3:-600s}"
append="console=ttyS0 quiet panic=-1 zx4j.poweroff"

scripts/fetch-linux-guest.sh >/dev/null
command -v qemu-system-x86_64 >/dev/null || {
  echo "bench-linux-boot: qemu-system-x86_64 not found (apt-get install qemu-system-x86)" >&2
  exit 1
}
# the runner's class path: its classes and its run-time dependencies (the library's classes,
# compiled in the same run)
mvn -B -q -pl java/zx4j-runner -am compile dependency:build-classpath \
    -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime >/dev/null
cp="java/zx4j-runner/target/classes:$(cat java/zx4j-runner/target/runtime.classpath)"

base="${BASE_CLASSES:-}"
if [ -n "$base" ]; then
  [ -d "$base/dev/zx4j/runner" ] || { echo "bench-linux-boot: no runner classes in $base" >&2; exit 1; }
  basecp="$base:${cp#*:}"   # the class path with the build's own classes replaced
fi

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# boot CLASSPATH ARRAY LABEL: one runner boot; appends its time to the array named ARRAY.
boot() {
  local t0 t rc
  t0=$(now)
  if java -cp "$1" dev.zx4j.runner.GuestRunner --linux target/linux/vmlinuz \
       --initrd target/linux/initrd.gz --vcpus "$vcpus" --time-limit "$limit" -q \
       --cmdline "$append" </dev/null >target/linux/bench-zx4j.log 2>&1; then
    t=$(echo "$(now) - $t0" | bc); eval "$2+=(\"\$t\")"
    echo "round $i: $3 ${t} s"
  else
    rc=$?
    echo "round $i: $3 failed (exit $rc): $( (grep '^zx4j-run:' target/linux/bench-zx4j.log || tail -n1 target/linux/bench-zx4j.log) | head -n1)"
  fi
}

zx=(); qe=(); bz=()
for i in $(seq 1 "$rounds"); do
  if [ -n "$base" ]; then
    boot "$basecp" bz "zx4j base   "
  fi
  boot "$cp" zx "zx4j runner "
  t0=$(now)
  timeout 300 qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot \
      -kernel target/linux/vmlinuz -initrd target/linux/initrd.gz -append "$append" \
      </dev/null >target/linux/bench-qemu.log 2>&1 || true
  t=$(echo "$(now) - $t0" | bc); qe+=("$t")
  grep -q "zx4j-init: userspace up" target/linux/bench-qemu.log \
    || echo "round $i: qemu did not reach userspace (see target/linux/bench-qemu.log)"
  echo "round $i: qemu tcg     ${t} s"
done

qm=$(printf '%s\n' "${qe[@]}" | median)
echo "qemu-system-x86_64 -accel tcg: median ${qm} s over ${#qe[@]} run(s)"
if [ ${#zx[@]} -eq 0 ]; then
  echo "zx4j runner: no run reached power-off; no ratio (see target/linux/bench-zx4j.log)"
  exit 2
fi
zm=$(printf '%s\n' "${zx[@]}" | median)
echo "zx4j runner (${vcpus} vcpu): median ${zm} s over ${#zx[@]} run(s)"
echo "ratio zx4j / qemu: $(echo "scale=2; $zm / $qm" | bc)"
if [ -n "$base" ] && [ ${#bz[@]} -gt 0 ]; then
  bm=$(printf '%s\n' "${bz[@]}" | median)
  echo "zx4j base ($base, ${vcpus} vcpu): median ${bm} s over ${#bz[@]} run(s)"
  echo "ratio base / qemu: $(echo "scale=2; $bm / $qm" | bc); base / zx4j: $(echo "scale=2; $bm / $zm" | bc)"
fi
