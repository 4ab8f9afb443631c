#!/usr/bin/env bash
# Builds the zx4j JNI library for Fuchsia (x86_64 and arm64) against a Fuchsia SDK, and packages
# it where JavaCPP's Loader finds it on Fuchsia.
#
# Usage:
#   FUCHSIA_SDK=/path/to/sdk scripts/build-fuchsia.sh            # probe, generate, compile, package
#   FUCHSIA_SDK=/path/to/sdk scripts/build-fuchsia.sh --probe    # only probe the SDK, print results
#
# Environment:
#   FUCHSIA_SDK  (required) an SDK with arch/x64/sysroot and arch/arm64/sysroot (headers in
#                <sysroot>/include, libzircon.so in <sysroot>/lib)
#   CLANG, CLANGXX  compilers (default clang, clang++); they must target Fuchsia, and linking
#                needs a toolchain that ships Fuchsia's C++ runtime (Fuchsia's own clang does)
#   JAVA_HOME    for jni.h (default: from the javac on PATH)
#   ZX4J_ARCHS   architectures to build (default "x64 arm64")
#
# Steps and their exact command lines ($A = x64|arm64, $T = x86_64|aarch64, $P = x86_64|arm64,
# $S = $FUCHSIA_SDK/arch/$A/sysroot, $G = target/fuchsia/gen, $O = target/fuchsia/classes):
#
# 1. Java classes:   mvn -q -DskipTests compile
# 2. JNI sources:    java -cp target/classes:native/fuchsia/javacpp:<javacpp.jar> org.bytedeco.javacpp.tools.Builder
#                         -nocompile -properties fuchsia-$P -d $G/$P dev.zx4j.jni.LibZircon
# 3. Probe, once per call in {zx_vcpu_enter, zx_vcpu_resume, zx_vcpu_kick, zx_interrupt_bind_vcpu}
#    (and zx_port_create, which must be found, as a check that the SDK's headers compile):
#      $CLANG --target=$T-unknown-fuchsia --sysroot=$S -fsyntax-only -x c probe.c
#    with probe.c = "#include <zircon/syscalls.h>" + "void *zx4j_probe = (void *)&<call>;"
#    Declared → -DZX4J_HAVE_<CALL>=1, else =0 (VCPU_ENTER, VCPU_RESUME, VCPU_KICK,
#    INTERRUPT_BIND_VCPU). native/include/zx4j/jni_glue.h then makes enter fall back to resume
#    and a missing call return ZX_ERR_NOT_SUPPORTED at run time.
# 4. Compile and link:
#      $CLANGXX --target=$T-unknown-fuchsia --sysroot=$S -std=c++11 -O2 -fPIC -shared
#          -include dlfcn.h <the four -DZX4J_HAVE_* of step 3>
#          -I native/include -I $JAVA_HOME/include -I $JAVA_HOME/include/linux
#          $G/$P/jniLibZircon.cpp $G/$P/jnijavacpp.cpp
#          -L $S/lib -lzircon -Wl,-z,noexecstack -Wl,-soname,libjniLibZircon.so
#          -o $O/dev/zx4j/jni/fuchsia-$P/libjniLibZircon.so
#    (libzircon.so is linked, never shipped: on Fuchsia it is the vDSO.)
# 5. Package:        jar cf target/zx4j-fuchsia-natives.jar -C $O dev
#    Run on Fuchsia with that jar, the zx4j jar and the javacpp jar on the class path and
#      -Dorg.bytedeco.javacpp.platform=fuchsia-x86_64 (or fuchsia-arm64)
#      --enable-native-access=ALL-UNNAMED (JDK 22+)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
probe_only=0
[ "${1:-}" = "--probe" ] && probe_only=1

die() { echo "build-fuchsia: $*" >&2; exit 2; }

layout="an SDK directory containing arch/x64/sysroot and arch/arm64/sysroot (each with include/zircon/syscalls.h and lib/libzircon.so)"
[ -n "${FUCHSIA_SDK:-}" ] || die "FUCHSIA_SDK is not set. Set FUCHSIA_SDK to $layout, e.g.
  FUCHSIA_SDK=\$HOME/fuchsia-sdk scripts/build-fuchsia.sh"
[ -d "$FUCHSIA_SDK" ] || die "FUCHSIA_SDK=$FUCHSIA_SDK is not a directory. Set FUCHSIA_SDK to $layout."

archs="${ZX4J_ARCHS:-x64 arm64}"
for a in $archs; do
  case "$a" in x64|arm64) ;; *) die "unknown architecture '$a' in ZX4J_ARCHS (use x64, arm64)";; esac
  s="$FUCHSIA_SDK/arch/$a/sysroot"
  [ -f "$s/include/zircon/syscalls.h" ] || die "FUCHSIA_SDK=$FUCHSIA_SDK has no arch/$a/sysroot/include/zircon/syscalls.h. Set FUCHSIA_SDK to $layout."
done

CLANG="${CLANG:-clang}"
CLANGXX="${CLANGXX:-clang++}"
command -v "$CLANG" >/dev/null || die "no C compiler '$CLANG' (set CLANG to a clang that targets Fuchsia)"

triple() { case "$1" in x64) echo x86_64-unknown-fuchsia;; arm64) echo aarch64-unknown-fuchsia;; esac; }
platform() { case "$1" in x64) echo x86_64;; arm64) echo arm64;; esac; }

work="$root/target/fuchsia"
mkdir -p "$work/probe"

# probe ARCH CALL -> prints 1 if <zircon/syscalls.h> declares CALL, else 0
probe() {
  local a="$1" call="$2" src="$work/probe/$1-$2.c"
  printf '#include <zircon/syscalls.h>\nvoid *zx4j_probe = (void *)&%s;\n' "$call" > "$src"
  if "$CLANG" --target="$(triple "$a")" --sysroot="$FUCHSIA_SDK/arch/$a/sysroot" -fsyntax-only -x c "$src" \
       2> "$work/probe/$a-$call.err"; then
    echo 1
  else
    echo 0
  fi
}

declare -A FLAGS
for a in $archs; do
  if [ "$(probe "$a" zx_port_create)" != 1 ]; then
    cat "$work/probe/$a-zx_port_create.err" >&2
    die "the SDK's zircon/syscalls.h does not compile for $(triple "$a") with $CLANG (see above)"
  fi
  f=""
  for pair in VCPU_ENTER:zx_vcpu_enter VCPU_RESUME:zx_vcpu_resume VCPU_KICK:zx_vcpu_kick \
              INTERRUPT_BIND_VCPU:zx_interrupt_bind_vcpu; do
    f="$f -DZX4J_HAVE_${pair%%:*}=$(probe "$a" "${pair##*:}")"
  done
  FLAGS[$a]="${f# }"
  echo "$a: ${FLAGS[$a]}"
  case "${FLAGS[$a]}" in
    *VCPU_ENTER=0*VCPU_RESUME=1*) echo "$a: zx_vcpu_enter falls back to zx_vcpu_resume";;
    *VCPU_ENTER=0*VCPU_RESUME=0*) echo "$a: zx_vcpu_enter returns ZX_ERR_NOT_SUPPORTED";;
  esac
  case "${FLAGS[$a]}" in *VCPU_KICK=0*) echo "$a: zx_vcpu_kick returns ZX_ERR_NOT_SUPPORTED";; esac
  case "${FLAGS[$a]}" in *BIND_VCPU=0*) echo "$a: zx_interrupt_bind_vcpu returns ZX_ERR_NOT_SUPPORTED";; esac
done
[ "$probe_only" = 1 ] && exit 0

command -v "$CLANGXX" >/dev/null || die "no C++ compiler '$CLANGXX' (set CLANGXX to a clang++ that targets Fuchsia)"
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
[ -f "$JAVA_HOME/include/jni.h" ] || die "no jni.h under JAVA_HOME=$JAVA_HOME (set JAVA_HOME to a JDK)"

cd "$root"
mvn -q -DskipTests compile
version="$(sed -n 's:.*<javacpp.version>\(.*\)</javacpp.version>.*:\1:p' pom.xml)"
jar_path="$HOME/.m2/repository/org/bytedeco/javacpp/$version/javacpp-$version.jar"
[ -f "$jar_path" ] || mvn -q dependency:get -Dartifact="org.bytedeco:javacpp:$version"

for a in $archs; do
  p="$(platform "$a")"
  s="$FUCHSIA_SDK/arch/$a/sysroot"
  gen="$work/gen/$p"
  out="$work/classes/dev/zx4j/jni/fuchsia-$p"
  rm -rf "$gen" && mkdir -p "$gen" "$out"
  java -cp "target/classes:native/fuchsia/javacpp:$jar_path" org.bytedeco.javacpp.tools.Builder \
      -nocompile -properties "fuchsia-$p" -d "$gen" dev.zx4j.jni.LibZircon
  # shellcheck disable=SC2086
  set -x
  "$CLANGXX" --target="$(triple "$a")" --sysroot="$s" -std=c++11 -O2 -fPIC -shared \
      -include dlfcn.h ${FLAGS[$a]} \
      -I native/include -I "$JAVA_HOME/include" -I "$JAVA_HOME/include/linux" \
      "$gen/jniLibZircon.cpp" "$gen/jnijavacpp.cpp" \
      -L "$s/lib" -lzircon -Wl,-z,noexecstack -Wl,-soname,libjniLibZircon.so \
      -o "$out/libjniLibZircon.so"
  { set +x; } 2>/dev/null
done

jar cf target/zx4j-fuchsia-natives.jar -C "$work/classes" dev
echo "build-fuchsia: wrote target/zx4j-fuchsia-natives.jar ($(cd "$work/classes" && find dev -name '*.so' | tr '\n' ' '))"
