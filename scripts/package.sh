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
exec "$root/scripts/package_check.sh" "$deb"
