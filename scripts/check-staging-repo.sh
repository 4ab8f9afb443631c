#!/usr/bin/env bash
# Deploys the build to a local file repository and checks that it has the layout Maven Central
# requires: the POM with its metadata, the jar, -sources.jar and -javadoc.jar, each with .md5 and
# .sha1, under dev/zx4j/zx4j/<version>/.
#   scripts/check-staging-repo.sh [mvn options...]    (run from the project root)
set -euo pipefail  # (grep -q in a pipe would end it early: unzip would die of SIGPIPE under pipefail)
cd "$(dirname "$0")/.."
repo="target/staging-repo"
rm -rf "$repo"
mvn -B -ntp -DskipTests "$@" deploy -DaltDeploymentRepository="local::file:$repo"

version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)"
dir="$repo/dev/zx4j/zx4j/$version"
[ -d "$dir" ] || { echo "check-staging-repo: no $dir" >&2; ls -R "$repo" >&2; exit 1; }
fail=0
# (a SNAPSHOT is deployed with a timestamp in its file names, hence the globs)
for pattern in 'zx4j-*.pom' 'zx4j-*[0-9].jar' 'zx4j-*-sources.jar' 'zx4j-*-javadoc.jar'; do
  f="$(find "$dir" -maxdepth 1 -name "$pattern" | sort | tail -1)"
  if [ -z "$f" ]; then echo "check-staging-repo: missing $pattern in $dir" >&2; fail=1; continue; fi
  for sum in md5 sha1; do
    [ -f "$f.$sum" ] || { echo "check-staging-repo: missing $f.$sum" >&2; fail=1; }
  done
done
pom="$(find "$dir" -maxdepth 1 -name 'zx4j-*.pom' | sort | tail -1)"
for tag in '<name>' '<description>' '<url>' '<licenses>' '<developers>' '<scm>'; do
  grep -q "$tag" "$pom" || { echo "check-staging-repo: $pom lacks $tag" >&2; fail=1; }
done
jar="$(find "$dir" -maxdepth 1 -name 'zx4j-*[0-9].jar' | sort | tail -1)"
unzip -l "$jar" | grep ' module-info.class$' >/dev/null || { echo "check-staging-repo: $jar has no module-info.class" >&2; fail=1; }
unzip -l "$(find "$dir" -maxdepth 1 -name 'zx4j-*-javadoc.jar' | sort | tail -1)" | grep ' index.html$' >/dev/null \
  || { echo "check-staging-repo: the javadoc jar has no index.html" >&2; fail=1; }
[ "$fail" = 0 ] || exit 1
echo "check-staging-repo: $dir has the POM, jar, sources and javadoc jars with checksums"
ls "$dir"
