#!/usr/bin/env bash
# Builds the host libzircon for Linux (run by the Maven build, phase process-classes, before
# javacpp:build links the JNI library against it).
#   usage: native/host/build.sh OUT_DIR
# Compile and link line (exact):
#   ${CC:-gcc} -std=c11 -O2 -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I native/include \
#       -shared -Wl,-soname,libzircon.so -Wl,--no-undefined -Wl,-z,noexecstack \
#       -o OUT_DIR/libzircon.so native/host/libzircon.c
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$out"
"${CC:-gcc}" -std=c11 -O2 -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I "$root/native/include" \
    -shared -Wl,-soname,libzircon.so -Wl,--no-undefined -Wl,-z,noexecstack \
    -o "$out/libzircon.so" "$here/libzircon.c"
