#!/usr/bin/env bash
# Builds native/kvm/kvm-oracle.c, the /dev/kvm hardware reference of the differential tests
# (dev.zx4j.sim.x86.diff.KvmDifferentialTest, scripts/gen-golden-vectors.sh), into OUT_DIR.
# Run by the Maven build in generate-test-resources. When the oracle cannot be built here (no
# gcc, no <linux/kvm.h>, not x86-64 Linux) it writes the reason to OUT_DIR/kvm-oracle.skipped
# and exits 0; the KVM test then skips with that reason. A compile error in the oracle itself
# fails the build: a broken oracle must not pass as a missing one.
#   usage: scripts/build-kvm-oracle.sh [OUT_DIR]      (default target/kvm)
# Compile line (exact):
#   ${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -o OUT_DIR/kvm-oracle native/kvm/kvm-oracle.c
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/target/kvm}"
mkdir -p "$out"
rm -f "$out/kvm-oracle" "$out/kvm-oracle.skipped"
cc="${CC:-gcc}"

skip() {
  echo "$1" > "$out/kvm-oracle.skipped"
  echo "build-kvm-oracle.sh: not built: $1 (the KVM differential test will skip)" >&2
  exit 0
}

[ "$(uname -s)" = Linux ] || skip "not Linux ($(uname -s))"
[ "$(uname -m)" = x86_64 ] || skip "not an x86-64 host ($(uname -m))"
command -v "$cc" >/dev/null 2>&1 || skip "$cc not found on PATH (apt-get install gcc)"
printf '#include <linux/kvm.h>\n' | "$cc" -E -x c - >/dev/null 2>&1 \
  || skip "<linux/kvm.h> not found (apt-get install linux-libc-dev)"
if ! "$cc" -std=c11 -O2 -Wall -Wextra -Werror -o "$out/kvm-oracle" "$root/native/kvm/kvm-oracle.c"; then
  rm -f "$out/kvm-oracle"
  echo "build-kvm-oracle.sh: $cc failed on native/kvm/kvm-oracle.c" >&2
  exit 1
fi
echo "build-kvm-oracle.sh: built $out/kvm-oracle"
