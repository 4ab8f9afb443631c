#!/usr/bin/env bash
# Assembles the x86 guests: native/guests/*.S -> target/guests/<name>.{o,elf,bin,sym}.
# Shared pieces live in native/guests/include/*.inc (`.include "name.inc"`).
#
# Each source may declare its link address with a comment line
#   # zx4j-load-address: 0x2000
# (default 0x2000). The flat binary <name>.bin is the image to copy to that guest-physical
# address; <name>.sym lists "address symbol" pairs (from nm) so tests can find entry points.
#
# Usage: scripts/build-guests.sh [source-dir] [output-dir]
set -euo pipefail

src="${1:-native/guests}"
out="${2:-target/guests}"

for tool in as ld objcopy nm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-guests.sh: GNU binutils tool '$tool' not found on PATH;" \
         "install binutils (e.g. apt-get install binutils) to build the x86 test guests" >&2
    exit 1
  fi
done

shopt -s nullglob
sources=("$src"/*.S)
if [ ${#sources[@]} -eq 0 ]; then
  echo "build-guests.sh: no guest sources in $src" >&2
  exit 1
fi

mkdir -p "$out"
# Skip the work when nothing it depends on changed: the sources, the shared includes, this
# script and the binutils version, hashed into a stamp next to the outputs.
stamp="$out/.guests.stamp"
inputs="$( { cat "$0" "${sources[@]}" "$src"/include/*.inc 2>/dev/null; as --version | head -n1; \
             ld --version | head -n1; printf '%s\n' "${sources[@]##*/}"; } | sha256sum | cut -d' ' -f1)"
uptodate=1
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] || uptodate=0
for f in "${sources[@]}"; do
  name="$(basename "$f" .S)"
  for ext in elf bin sym; do
    [ -f "$out/$name.$ext" ] || uptodate=0
  done
done
if [ "$uptodate" = 1 ]; then
  echo "build-guests.sh: ${#sources[@]} guest(s) in $out are up to date"
  exit 0
fi
rm -f "$stamp"
for f in "${sources[@]}"; do
  name="$(basename "$f" .S)"
  addr="$(sed -n 's/.*zx4j-load-address:[[:space:]]*\(0x[0-9a-fA-F]*\).*/\1/p' "$f" | head -n1)"
  addr="${addr:-0x2000}"
  as --64 -I "$src/include" -o "$out/$name.o" "$f"
  ld -m elf_x86_64 -nostdlib -static -N --no-warn-rwx-segments -Ttext="$addr" -e _start \
     -o "$out/$name.elf" "$out/$name.o" 2>/dev/null \
    || ld -m elf_x86_64 -nostdlib -static -N -Ttext="$addr" -e _start -o "$out/$name.elf" "$out/$name.o"
  objcopy -O binary "$out/$name.elf" "$out/$name.bin"
  nm -n "$out/$name.elf" | awk 'NF == 3 { print $1, $3 }' > "$out/$name.sym"
done
echo "$inputs" > "$stamp"
echo "build-guests.sh: built ${#sources[@]} guest(s) into $out"
