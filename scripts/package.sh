#!/usr/bin/env bash
# Builds the Debian package (build/suanli_VERSION_ARCH.deb) from the release
# build and checks it: its files, its dependencies, its maintainer scripts,
# the systemd unit (systemd-analyze verify, when systemd is installed) and
# the installed binaries, unpacked into a scratch root.
#   scripts/package.sh [--no-check]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SUANLI_BUILD_DIR:-$root/build}
check=1
[[ ${1:-} == --no-check ]] && check=0
"$root/scripts/setup.sh" dpkg-dev fakeroot
export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# The package installs under /usr (and its configuration under /etc).
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
ninja -C "$build" -j "${SUANLI_JOBS:-2}" suanlid suanli-wallet suanli-genesis
rm -f "$build"/suanli_*.deb
(cd "$build" && fakeroot cpack -G DEB >/dev/null)
deb=$(ls "$build"/suanli_*.deb)
echo "package: $deb"
((check)) || exit 0

# cmake --install (what the package is made from) puts the same files in place.
staged=$(mktemp -d)
trap 'rm -rf "$staged"' EXIT
DESTDIR=$staged cmake --install "$build" >/dev/null
cmp -s "$root/README.md" "$staged/usr/share/doc/suanli/README.md" ||
  { echo "cmake --install: README.md is missing or differs" >&2; exit 1; }
for f in usr/bin/suanlid usr/bin/suanli-wallet usr/bin/suanli-genesis \
         usr/lib/systemd/system/suanlid.service etc/suanli/node.json; do
  [[ -f $staged/$f ]] || { echo "cmake --install: $f is missing" >&2; exit 1; }
done
for doc in "$root"/docs/*.md; do
  cmp -s "$doc" "$staged/usr/share/doc/suanli/docs/$(basename "$doc")" ||
    { echo "cmake --install: docs/$(basename "$doc") is missing or differs" >&2; exit 1; }
done
"$staged/usr/bin/suanlid" --version >/dev/null
echo "cmake --install: ok ($(find "$staged" -type f | wc -l) files)"
SUANLI_DOCS_DIR=$root/docs exec "$root/scripts/package_check.sh" "$deb"
