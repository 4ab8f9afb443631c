#!/usr/bin/env bash
# Regenerates java/zx4j/src/test/resources/x86/golden-vectors.txt: random instruction sequences run
# on this machine's CPU through /dev/kvm (native/kvm/kvm-oracle.c), the results recorded for
# GoldenVectorTest, which checks the software VCPU against them on every build.
# Needs a usable /dev/kvm. Extra arguments go to the generator:
#   --seed N (default 0x601de11)  --cases N (default 2400)  --units N (max units per case, 8)
#   --out FILE (default the resource above)
#   usage: scripts/gen-golden-vectors.sh [--seed N] [--cases N] [--units N] [--out FILE]
# Set MVN_FLAGS (e.g. -o) to pass options to the Maven build it runs first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck disable=SC2086
mvn -B -q ${MVN_FLAGS:-} test-compile
out=java/zx4j/src/test/resources/x86/golden-vectors.txt
exec java -cp java/zx4j/target/test-classes:java/zx4j/target/classes dev.zx4j.sim.x86.diff.GoldenVectorGenerator \
    --oracle java/zx4j/target/kvm/kvm-oracle --out "$out" "$@"
