#!/usr/bin/env bash
# Fetches the Linux guest used by the runner's --linux mode and its end-to-end test, and builds
# its initramfs. Nothing it produces is committed: everything is cached under target/linux/.
#
#   target/linux/vmlinuz     Debian's cloud kernel (a bzImage), from linux-image-<version>-cloud-amd64
#   target/linux/initrd.gz   gzip'd newc cpio: a static busybox and a small /init
#   target/linux/VERSION     the two package versions the files came from
#
# The packages are downloaded with the system's package client (`apt-get download`, no root
# needed) and unpacked with `dpkg-deb -x`; the cpio archive is written by the downloaded
# busybox's own `cpio` applet, so no cpio tool is needed on the host. Runs again only when a
# file is missing (or with --force).
#
# Usage: scripts/fetch-linux-guest.sh [--force]
# Exit codes: 0 ready, 3 the packages cannot be obtained (no apt-get, or no network / mirror),
# 1 anything else.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/linux
force=0
[ "${1:-}" = "--force" ] && force=1

# Bump when /init below changes, so cached initramfs files are rebuilt.
init_version="zx4j-init 2"

if [ $force = 0 ] && [ -s $out/vmlinuz ] && [ -s $out/initrd.gz ] \
   && grep -qx "$init_version" $out/VERSION 2>/dev/null; then
  echo "fetch-linux-guest: cached in $out ($(tr '\n' ' ' < $out/VERSION))"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb gzip; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "fetch-linux-guest: $tool not found; this script needs a Debian-like system" >&2
    exit 3
  fi
done

work=$out/work
rm -rf "$work"
mkdir -p "$work/deb" "$work/x" "$work/root"

# linux-image-cloud-amd64 is a meta package: the kernel is in the package it depends on.
kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
         | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$kpkg" ]; then
  echo "fetch-linux-guest: apt-cache knows no linux-image-cloud-amd64 (run apt-get update?)" >&2
  exit 3
fi
if ! (cd "$work/deb" && apt-get download -q "$kpkg" busybox-static >/dev/null); then
  echo "fetch-linux-guest: apt-get download $kpkg busybox-static failed (network or mirror)" >&2
  exit 3
fi
for deb in "$work"/deb/*.deb; do
  dpkg-deb -x "$deb" "$work/x"
done

kernel=$(ls "$work"/x/boot/vmlinuz-* | head -n1)
[ -f "$kernel" ] || { echo "fetch-linux-guest: no /boot/vmlinuz-* in $kpkg" >&2; exit 1; }
busybox="$work/x/bin/busybox"
[ -x "$busybox" ] || { echo "fetch-linux-guest: no /bin/busybox in busybox-static" >&2; exit 1; }

# The userland: busybox, its applet links made by /init at boot, and /init itself.
r="$work/root"
mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" \
         "$r/etc" "$r/root"
cp "$busybox" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
cat > "$r/init" <<'EOF'
#!/bin/sh
# zx4j guest init: mount the pseudo file systems, then an interactive shell on the console.
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "zx4j-init: userspace up, $(nproc) cpu(s)"
# zx4j.poweroff on the kernel command line (the boot benchmark): power off at once.
if grep -q zx4j.poweroff /proc/cmdline; then poweroff -f; fi
# The shell's commands come from the console (the runner's UART). When it ends, power off.
setsid cttyhack sh -l
echo "zx4j-init: shell exited, powering off"
poweroff -f
EOF
chmod 755 "$r/init"
printf 'export PS1="# "\nexport PATH=/bin:/sbin:/usr/bin:/usr/sbin\n' > "$r/etc/profile"

abs_busybox=$(readlink -f "$busybox")
(cd "$r" && find . | LC_ALL=C sort | "$abs_busybox" cpio -o -H newc 2>/dev/null) \
  | gzip -9 > "$work/initrd.gz"

cp "$kernel" "$out/vmlinuz"
mv "$work/initrd.gz" "$out/initrd.gz"
{
  echo "$kpkg $(dpkg-deb -f "$work"/deb/"$kpkg"_*.deb Version)"
  echo "busybox-static $(dpkg-deb -f "$work"/deb/busybox-static_*.deb Version)"
  echo "$init_version"
} > "$out/VERSION"
rm -rf "$work"
echo "fetch-linux-guest: ready in $out: vmlinuz ($(stat -c %s $out/vmlinuz) bytes)," \
     "initrd.gz ($(stat -c %s $out/initrd.gz) bytes); $(tr '\n' ' ' < $out/VERSION)"
