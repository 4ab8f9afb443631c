#!/usr/bin/env bash
# Regenerates the RCPSS/RSQRTSS tables of the software VCPU from this machine's CPU
# (native/sse/rcp-table.c). The committed tables come from an AMD EPYC (family 26); other CPUs
# (Intel's in particular) compute different approximations.
#   usage: scripts/gen-rcp-table.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/java/zx4j/src/main/resources/dev/zx4j/sim/x86/sse-rcp-rsqrt.txt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"${CC:-gcc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$tmp/rcp-table" "$root/native/sse/rcp-table.c"
mkdir -p "$(dirname "$out")"
"$tmp/rcp-table" > "$out"
echo "gen-rcp-table.sh: wrote $(wc -l < "$out") entries to $out"
