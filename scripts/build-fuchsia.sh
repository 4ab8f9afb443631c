#!/usr/bin/env bash
# Builds the zx4j JNI library for Fuchsia (x86_64 and arm64) against a Fuchsia SDK, checks what it
# links against, and packages it where JavaCPP's Loader finds it on Fuchsia.
#
# Usage:
#   FUCHSIA_SDK=/path/to/sdk scripts/build-fuchsia.sh            # probe, generate, compile, check, package
#   FUCHSIA_SDK=/path/to/sdk scripts/build-fuchsia.sh --probe    # only report what the SDK offers
#
# Needs nothing but the SDK's sysroot (C headers, libc.so, libzircon.so) and a clang that targets
# Fuchsia with its lld (Debian's clang + lld do): no C++ headers, no C++ runtime, no compiler-rt.
# The JavaCPP classes are @NoException, the code is compiled with -fno-exceptions -fno-rtti
# -nostdinc++ against the few shim headers in native/fuchsia/include, and operator new/delete
# and std::nothrow come from native/fuchsia/cxx_runtime.cpp (over malloc/free).
#
# Environment:
#   FUCHSIA_SDK  (required) an SDK with arch/<arch>/sysroot for every architecture built
#                (headers in <sysroot>/include, libzircon.so and libc.so in <sysroot>/lib)
#   ZX4J_ARCHS   architectures to build, any of "x64 arm64" (default both)
#   CLANG, CLANGXX  compilers (default clang, clang++); they must target Fuchsia
#   JAVA_HOME    for jni.h (default: from the javac on PATH)
#   ZX4J_CLASSES compiled zx4j classes to generate from (default: run mvn compile, use
#                java/zx4j/target/classes)
#   JAVACPP_JAR  the JavaCPP jar (default: the pom's version in ~/.m2)
#   ZX4J_OUT     work and output directory (default target/fuchsia; the jar goes to ZX4J_OUT/..;
#                with the default, the next Maven build of java/zx4j attaches the classifier jars
#                fuchsia-x86_64 and fuchsia-arm64 made from ZX4J_OUT/classes)
#
# Steps and their exact command lines ($A = x64|arm64, $T = x86_64|aarch64, $P = x86_64|arm64,
# $S = $FUCHSIA_SDK/arch/$A/sysroot, $G = $ZX4J_OUT/gen, $O = $ZX4J_OUT/classes):
#
# 1. Java classes:   mvn -q -DskipTests compile                      (unless ZX4J_CLASSES is set)
# 2. Probe, per architecture:
#      $CLANG --target=$T-unknown-fuchsia --sysroot=$S -fsyntax-only -x c probe.c
#    with probe.c = "#include <zircon/syscalls.h>" + "void *zx4j_probe = (void *)&zx_port_create;"
#    (the SDK's headers must compile), then  nm -D --defined-only $S/lib/libzircon.so  lists which
#    of the optional calls (OPTIONAL below) this SDK's libzircon exports. The library binds those
#    as weak references (native/include/zx4j/jni_glue.h): it loads on every Fuchsia release and a
#    call the running vDSO lacks returns ZX_ERR_NOT_SUPPORTED; zx_vcpu_enter falls back to
#    zx_vcpu_resume.
# 3. JNI sources:    java -cp $ZX4J_CLASSES:native/fuchsia/javacpp:$JAVACPP_JAR org.bytedeco.javacpp.tools.Builder
#                         -nocompile -properties fuchsia-$P -d $G/$P dev.zx4j.jni.LibZircon
# 4. Compile and link:
#      $CLANGXX --target=$T-unknown-fuchsia --sysroot=$S -std=c++17 -O2 -fPIC -shared
#          -fno-exceptions -fno-rtti -nostdinc++ -nostdlib -include dlfcn.h
#          -I native/fuchsia/include -I native/include -I $JAVA_HOME/include -I $JAVA_HOME/include/linux
#          $G/$P/jniLibZircon.cpp $G/$P/jnijavacpp.cpp native/fuchsia/cxx_runtime.cpp
#          -L $S/lib -lzircon -lc -Wl,-z,defs -Wl,-z,noexecstack -Wl,-soname,libjniLibZircon.so
#          -o $O/dev/zx4j/jni/fuchsia-$P/libjniLibZircon.so
#    (-z defs: every strong reference must resolve in libzircon or libc at link time. libzircon.so
#    is linked, never shipped: on Fuchsia it is the vDSO.)
# 5. Check the library:  readelf -d  lists NEEDED, which must be exactly libzircon.so and libc.so;
#    nm -D --undefined-only  lists its references: each strong one must be exported by the SDK's
#    libzircon.so or libc.so, and the weak ones must be among OPTIONAL. Any violation fails.
# 6. Package:        jar cf $ZX4J_OUT/../zx4j-fuchsia-natives.jar -C $O dev
#    Run on Fuchsia with that jar, the zx4j jar and the javacpp jar on the class path and
#      -Dorg.bytedeco.javacpp.platform=fuchsia-x86_64 (or fuchsia-arm64)
#      --enable-native-access=ALL-UNNAMED (JDK 22+)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
probe_only=0
[ "${1:-}" = "--probe" ] && probe_only=1

die() { echo "build-fuchsia: $*" >&2; exit 2; }

# The calls bound as weak references (see jni_glue.h): absent ones answer ZX_ERR_NOT_SUPPORTED.
OPTIONAL="zx_vcpu_enter zx_vcpu_resume zx_vcpu_kick zx_interrupt_bind_vcpu zx_event_create
zx_object_signal zx_object_wait_one zx_object_wait_many zx_object_wait_async zx_timer_create
zx_timer_set zx_timer_cancel"

archs="${ZX4J_ARCHS:-x64 arm64}"
layout="an SDK directory containing arch/<arch>/sysroot for each of ZX4J_ARCHS=\"$archs\" (each with include/zircon/syscalls.h, lib/libzircon.so and lib/libc.so)"
[ -n "${FUCHSIA_SDK:-}" ] || die "FUCHSIA_SDK is not set. Set FUCHSIA_SDK to $layout, e.g.
  FUCHSIA_SDK=\$HOME/fuchsia-sdk scripts/build-fuchsia.sh
  (arch/x64/sysroot and arch/arm64/sysroot by default; ZX4J_ARCHS=x64 builds one architecture)"
[ -d "$FUCHSIA_SDK" ] || die "FUCHSIA_SDK=$FUCHSIA_SDK is not a directory. Set FUCHSIA_SDK to $layout."
[ -n "$archs" ] || die "ZX4J_ARCHS is empty (use x64, arm64 or both)"
for a in $archs; do
  case "$a" in x64|arm64) ;; *) die "unknown architecture '$a' in ZX4J_ARCHS (use x64, arm64)";; esac
  s="$FUCHSIA_SDK/arch/$a/sysroot"
  for f in include/zircon/syscalls.h lib/libzircon.so lib/libc.so; do
    [ -f "$s/$f" ] || die "FUCHSIA_SDK=$FUCHSIA_SDK has no arch/$a/sysroot/$f. Set FUCHSIA_SDK to $layout."
  done
done

CLANG="${CLANG:-clang}"
CLANGXX="${CLANGXX:-clang++}"
command -v "$CLANG" >/dev/null || die "no C compiler '$CLANG' (set CLANG to a clang that targets Fuchsia)"
command -v nm >/dev/null || die "no nm (install binutils)"
command -v readelf >/dev/null || die "no readelf (install binutils)"

triple() { case "$1" in x64) echo x86_64-unknown-fuchsia;; arm64) echo aarch64-unknown-fuchsia;; esac; }
platform() { case "$1" in x64) echo x86_64;; arm64) echo arm64;; esac; }

work="${ZX4J_OUT:-$root/target/fuchsia}"
mkdir -p "$work/probe"

# Names a shared library defines (strong or weak), one per line.
exports() { nm -D --defined-only "$1" | awk 'NF >= 3 {print $3}' | sed 's/@.*//' | sort -u; }

for a in $archs; do
  s="$FUCHSIA_SDK/arch/$a/sysroot"
  src="$work/probe/$a.c"
  printf '#include <zircon/syscalls.h>\nvoid *zx4j_probe = (void *)&zx_port_create;\n' > "$src"
  if ! "$CLANG" --target="$(triple "$a")" --sysroot="$s" -fsyntax-only -x c "$src" 2> "$work/probe/$a.err"; then
    cat "$work/probe/$a.err" >&2
    die "the SDK's zircon/syscalls.h does not compile for $(triple "$a") with $CLANG (see above)"
  fi
  zx="$(exports "$s/lib/libzircon.so")"
  have=""; lack=""
  for call in $OPTIONAL; do
    if grep -qx "$call" <<< "$zx"; then have="$have $call"; else lack="$lack $call"; fi
  done
  echo "$a: libzircon exports:${have:- (none of the optional calls)}"
  echo "$a: absent (ZX_ERR_NOT_SUPPORTED at run time):${lack:- nothing}"
  case " $have " in
    *" zx_vcpu_enter "*) ;;
    *" zx_vcpu_resume "*) echo "$a: zx_vcpu_enter falls back to zx_vcpu_resume";;
  esac
done
[ "$probe_only" = 1 ] && exit 0

command -v "$CLANGXX" >/dev/null || die "no C++ compiler '$CLANGXX' (set CLANGXX to a clang++ that targets Fuchsia)"
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
fi
[ -f "$JAVA_HOME/include/jni.h" ] || die "no jni.h under JAVA_HOME=$JAVA_HOME (set JAVA_HOME to a JDK)"

cd "$root"
classes="${ZX4J_CLASSES:-}"
if [ -z "$classes" ]; then
  mvn -q -DskipTests compile
  classes="java/zx4j/target/classes"
fi
jar_path="${JAVACPP_JAR:-}"
if [ -z "$jar_path" ]; then
  version="$(sed -n 's:.*<javacpp.version>\(.*\)</javacpp.version>.*:\1:p' pom.xml)"
  jar_path="$HOME/.m2/repository/org/bytedeco/javacpp/$version/javacpp-$version.jar"
  [ -f "$jar_path" ] || mvn -q dependency:get -Dartifact="org.bytedeco:javacpp:$version"
fi
[ -f "$jar_path" ] || die "no JavaCPP jar at $jar_path (set JAVACPP_JAR)"

# check_library SO SYSROOT ARCH: NEEDED and every undefined symbol against the SDK's exports.
check_library() {
  local so="$1" s="$2" a="$3" bad=0
  local needed
  needed="$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')"
  echo "$a: NEEDED: $needed"
  if [ "$needed" != "libc.so libzircon.so " ]; then
    echo "build-fuchsia: $a: the library must need exactly libzircon.so and libc.so, it needs: $needed" >&2
    bad=1
  fi
  local provided
  provided="$( { exports "$s/lib/libzircon.so"; exports "$s/lib/libc.so"; } | sort -u)"
  local strong weak missing="" notopt=""
  strong="$(nm -D --undefined-only "$so" | awk '$1 == "U" {print $2}' | sed 's/@.*//' | sort -u)"
  weak="$(nm -D --undefined-only "$so" | awk '$1 == "w" || $1 == "v" {print $2}' | sed 's/@.*//' | sort -u)"
  for sym in $strong; do
    grep -qx "$sym" <<< "$provided" || missing="$missing $sym"
  done
  for sym in $weak; do
    grep -qx "$sym" <<< "$(tr ' ' '\n' <<< "$OPTIONAL")" || notopt="$notopt $sym"
  done
  echo "$a: $(wc -w <<< "$strong") strong references, all exported by the SDK's libzircon.so or libc.so${missing:+ except:$missing}"
  echo "$a: weak references: $(tr '\n' ' ' <<< "$weak")"
  if [ -n "$missing" ]; then
    echo "build-fuchsia: $a: not exported by the SDK's libzircon.so or libc.so:$missing" >&2
    bad=1
  fi
  if [ -n "$notopt" ]; then
    echo "build-fuchsia: $a: weak references that are not optional calls:$notopt" >&2
    bad=1
  fi
  [ "$bad" = 0 ] || exit 3
}

for a in $archs; do
  p="$(platform "$a")"
  s="$FUCHSIA_SDK/arch/$a/sysroot"
  gen="$work/gen/$p"
  out="$work/classes/dev/zx4j/jni/fuchsia-$p"
  rm -rf "$gen" && mkdir -p "$gen" "$out"
  java -cp "$classes:native/fuchsia/javacpp:$jar_path" org.bytedeco.javacpp.tools.Builder \
      -nocompile -properties "fuchsia-$p" -d "$gen" dev.zx4j.jni.LibZircon >/dev/null
  set -x
  "$CLANGXX" --target="$(triple "$a")" --sysroot="$s" -std=c++17 -O2 -fPIC -shared \
      -fno-exceptions -fno-rtti -nostdinc++ -nostdlib -include dlfcn.h \
      -I native/fuchsia/include -I native/include -I "$JAVA_HOME/include" -I "$JAVA_HOME/include/linux" \
      "$gen/jniLibZircon.cpp" "$gen/jnijavacpp.cpp" native/fuchsia/cxx_runtime.cpp \
      -L "$s/lib" -lzircon -lc -Wl,-z,defs -Wl,-z,noexecstack -Wl,-soname,libjniLibZircon.so \
      -o "$out/libjniLibZircon.so"
  { set +x; } 2>/dev/null
  check_library "$out/libjniLibZircon.so" "$s" "$a"
done

natives="$(dirname "$work")/zx4j-fuchsia-natives.jar"
jar cf "$natives" -C "$work/classes" dev
echo "build-fuchsia: wrote $natives ($(cd "$work/classes" && find dev -name '*.so' | sort | tr '\n' ' '))"
