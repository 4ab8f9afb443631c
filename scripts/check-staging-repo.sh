#!/usr/bin/env bash
# Deploys the build to a local file repository and checks that it has the layout Maven Central
# requires, for every deployed artifact: the parent POM with the project's metadata (name,
# description, URL, licenses, developers, SCM); per module its POM, the jar (with its
# module-info.class), -sources.jar and -javadoc.jar (with its index.html); the natives classifier
# jar(s) of the library; each file with .md5 and .sha1. The build tools and the integration tests
# must not be deployed.
#   scripts/check-staging-repo.sh [mvn options...]    (run from the project root)
set -euo pipefail  # (grep -q in a pipe would end it early: unzip would die of SIGPIPE under pipefail)
cd "$(dirname "$0")/.."
repo="target/staging-repo"
rm -rf "$repo"
mvn -B -ntp -DskipTests "$@" deploy -DaltDeploymentRepository="local::file:$repo"

version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)"
fail=0
problem() { echo "check-staging-repo: $*" >&2; fail=1; }

# find_file VAR ARTIFACT PATTERN: sets VAR to the newest file of ARTIFACT matching PATTERN (a
# SNAPSHOT is deployed with a timestamp in its file names, hence the globs) and checks its
# checksums; returns 1 (a problem noted) when there is none
find_file() {
  local dir="$repo/dev/zx4j/$2/$version" f
  f="$(find "$dir" -maxdepth 1 -name "$3" 2>/dev/null | sort | tail -1)"
  printf -v "$1" '%s' "$f"
  if [ -z "$f" ]; then problem "missing $3 in $dir"; return 1; fi
  for sum in md5 sha1; do
    [ -f "$f.$sum" ] || problem "missing $f.$sum"
  done
}

has_entry() { unzip -l "$1" | grep " $2\$" >/dev/null; }

# the parent POM carries the metadata every module inherits
if find_file pom zx4j-parent "zx4j-parent-*.pom"; then
  for tag in name description url licenses developers scm; do
    grep -Eq "<$tag[ >]" "$pom" || problem "$pom lacks <$tag>"
  done
fi

for a in zx4j zx4j-junit5 zx4j-runner; do
  if find_file pom "$a" "$a-*.pom"; then
    for tag in parent name description; do
      grep -Eq "<$tag[ >]" "$pom" || problem "$pom lacks <$tag>"
    done
  fi
  dir="$repo/dev/zx4j/$a/$version"
  jar="$(find "$dir" -maxdepth 1 -name "$a-*.jar" ! -name '*-sources.jar' ! -name '*-javadoc.jar' \
         ! -name '*-linux-*' ! -name '*-fuchsia-*' 2>/dev/null | sort | tail -1)"
  if [ -z "$jar" ]; then
    problem "missing the $a jar in $dir"
  else
    for sum in md5 sha1; do [ -f "$jar.$sum" ] || problem "missing $jar.$sum"; done
    has_entry "$jar" module-info.class || problem "$jar has no module-info.class"
    if unzip -l "$jar" | grep -q '\.so$'; then problem "$jar carries native libraries"; fi
  fi
  find_file sources "$a" "$a-*-sources.jar" || true
  if find_file javadoc "$a" "$a-*-javadoc.jar"; then
    has_entry "$javadoc" index.html || problem "$javadoc has no index.html"
  fi
done

# the natives: always linux-x86_64; the Fuchsia ones when scripts/build-fuchsia.sh built them
classifiers=(linux-x86_64)
for arch in x86_64 arm64; do
  [ -d "target/fuchsia/classes/dev/zx4j/jni/fuchsia-$arch" ] && classifiers+=("fuchsia-$arch")
done
for c in "${classifiers[@]}"; do
  if find_file jar zx4j "zx4j-*-$c.jar"; then
    has_entry "$jar" "dev/zx4j/jni/$c/libjniLibZircon.so" || problem "$jar lacks dev/zx4j/jni/$c/libjniLibZircon.so"
    name="dev.zx4j.natives.${c//-/.}"
    unzip -p "$jar" META-INF/MANIFEST.MF | tr -d '\r' | grep -qx "Automatic-Module-Name: $name" \
      || problem "$jar has no Automatic-Module-Name $name"
  fi
done

for a in zx4j-build-tools zx4j-it; do
  [ ! -e "$repo/dev/zx4j/$a" ] || problem "$a was deployed"
done

[ "$fail" = 0 ] || exit 1
echo "check-staging-repo: $repo has zx4j-parent, zx4j (+ ${classifiers[*]}), zx4j-junit5 and" \
     "zx4j-runner with POMs, jars, sources and javadoc jars, with checksums"
find "$repo/dev/zx4j" -name '*.jar' -o -name '*.pom' | sort
