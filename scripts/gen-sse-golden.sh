#!/usr/bin/env bash
# Regenerates java/zx4j/src/test/resources/x86/sse-golden.txt: single-instruction MMX/SSE cases
# (every form of the table at least once, then random ones) run on this machine's CPU by
# native/sse/sse-oracle.c, for SseGoldenTest. Needs gcc and an x86-64 CPU with SSE4.2.
#   usage: scripts/gen-sse-golden.sh [seed] [cases]      (defaults 90071069, 2000)
# Set MVN_FLAGS (e.g. -o) to pass options to the Maven build it runs first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck disable=SC2086
mvn -B -q ${MVN_FLAGS:-} test-compile
bash scripts/build-sse-oracle.sh java/zx4j/target/sse
cp="java/zx4j/target/test-classes:java/zx4j/target/classes"
exec java -cp "$cp" dev.zx4j.sim.x86.SseGolden java/zx4j/target/sse/sse-oracle \
    java/zx4j/src/test/resources/x86/sse-golden.txt "$@"
