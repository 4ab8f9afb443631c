#!/usr/bin/env bash
# Regenerates java/zx4j/src/test/resources/x86/x87-golden-vectors.txt: random x87 cases (X87Gen) run
# on this machine's CPU through java/zx4j/target/x87/x87-oracle (built by scripts/build-x87-oracle.sh).
#   usage: scripts/gen-x87-vectors.sh [--seed N] [--cases N]     (defaults: seed 1187, 1000 cases)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -B -q ${MVN_FLAGS:-} test-compile
out=java/zx4j/src/test/resources/x86/x87-golden-vectors.txt
exec java -cp java/zx4j/target/test-classes:java/zx4j/target/classes dev.zx4j.sim.x86.x87.X87GoldenVectors \
    --oracle java/zx4j/target/x87/x87-oracle --out "$out" "$@"
