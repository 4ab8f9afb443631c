#!/usr/bin/env bash
# Builds native/sse/sse-oracle.c, the host-CPU reference of the SSE/MMX differential tests
# (dev.zx4j.sim.x86.diff.SseDifferentialTest, scripts/gen-sse-golden.sh), into OUT_DIR.
# Run by the Maven build in generate-test-resources. It needs no /dev/kvm: snippets run in a
# plain Linux process. When it cannot be built here (no gcc, not x86-64 Linux) it writes the
# reason to OUT_DIR/sse-oracle.skipped and exits 0; the test then skips with that reason. A
# compile error in the oracle itself fails the build.
#   usage: scripts/build-sse-oracle.sh [OUT_DIR]      (default target/sse)
# Compile line (exact):
#   ${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -o OUT_DIR/sse-oracle native/sse/sse-oracle.c
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/target/sse}"
mkdir -p "$out"
rm -f "$out/sse-oracle" "$out/sse-oracle.skipped"
cc="${CC:-gcc}"

skip() {
  echo "$1" > "$out/sse-oracle.skipped"
  echo "build-sse-oracle.sh: not built: $1 (the SSE differential test will skip)" >&2
  exit 0
}

[ "$(uname -s)" = Linux ] || skip "not Linux ($(uname -s))"
[ "$(uname -m)" = x86_64 ] || skip "not an x86-64 host ($(uname -m))"
command -v "$cc" >/dev/null 2>&1 || skip "$cc not found on PATH (apt-get install gcc)"
if ! "$cc" -std=gnu11 -O2 -Wall -Wextra -Werror -o "$out/sse-oracle" "$root/native/sse/sse-oracle.c"; then
  rm -f "$out/sse-oracle"
  echo "build-sse-oracle.sh: $cc failed on native/sse/sse-oracle.c" >&2
  exit 1
fi
echo "build-sse-oracle.sh: built $out/sse-oracle"
