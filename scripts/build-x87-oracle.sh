#!/usr/bin/env bash
# Builds native/x87/x87-oracle.c, the host-CPU reference of the x87 differential tests
# (dev.zx4j.sim.x86.x87.X87DifferentialTest, scripts/gen-x87-vectors.sh), into OUT_DIR.
# Run by the Maven build in generate-test-resources. When the oracle cannot be built here (no
# gcc, not x86-64 Linux) it writes the reason to OUT_DIR/x87-oracle.skipped and exits 0; the
# x87 differential test then skips with that reason. A compile error in the oracle itself
# fails the build: a broken oracle must not pass as a missing one.
#   usage: scripts/build-x87-oracle.sh [OUT_DIR]      (default target/x87)
# Compile line (exact):
#   ${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -o OUT_DIR/x87-oracle native/x87/x87-oracle.c
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/target/x87}"
mkdir -p "$out"
rm -f "$out/x87-oracle" "$out/x87-oracle.skipped"
cc="${CC:-gcc}"

skip() {
  echo "$1" > "$out/x87-oracle.skipped"
  echo "build-x87-oracle.sh: not built: $1 (the x87 differential test will skip)" >&2
  exit 0
}

[ "$(uname -s)" = Linux ] || skip "not Linux ($(uname -s))"
[ "$(uname -m)" = x86_64 ] || skip "not an x86-64 host ($(uname -m))"
command -v "$cc" >/dev/null 2>&1 || skip "$cc not found on PATH (apt-get install gcc)"
if ! "$cc" -std=gnu11 -O2 -Wall -Wextra -Werror -o "$out/x87-oracle" "$root/native/x87/x87-oracle.c"; then
  rm -f "$out/x87-oracle"
  echo "build-x87-oracle.sh: $cc failed on native/x87/x87-oracle.c" >&2
  exit 1
fi
echo "build-x87-oracle.sh: built $out/x87-oracle"
