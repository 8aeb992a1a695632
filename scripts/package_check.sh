#!/usr/bin/env bash
# Checks a built suanli .deb without installing it on this machine: the files
# and conffiles it carries, its dependencies, its maintainer scripts, the
# systemd unit, and the unpacked binaries and default configuration.
#   scripts/package_check.sh PACKAGE.deb
set -euo pipefail
deb=$1
fail() { echo "package check: $*" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/suanlid ./usr/bin/suanli-wallet ./usr/bin/suanli-genesis \
         ./usr/lib/systemd/system/suanlid.service ./etc/suanli/node.json \
         ./usr/share/doc/suanli/README.md; do
  grep -q " $f\$" <<<"$contents" || fail "$f is missing from the package"
done
# Every guide of docs/ (when the source tree is at hand) is in the package.
if [[ -n ${SUANLI_DOCS_DIR:-} ]]; then
  for doc in "$SUANLI_DOCS_DIR"/*.md; do
    f=./usr/share/doc/suanli/docs/$(basename "$doc")
    grep -q " $f\$" <<<"$contents" || fail "$f is missing from the package"
  done
fi
depends=$(dpkg-deb -f "$deb" Depends)
for d in libsodium libboost-program-options libsnappy adduser; do
  grep -q "$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done

dpkg-deb -e "$deb" "$scratch/control"
grep -qx /etc/suanli/node.json "$scratch/control/conffiles" || fail "node.json is not a conffile"
for s in postinst prerm postrm; do
  [[ -x $scratch/control/$s ]] || fail "$s is missing or not executable"
  sh -n "$scratch/control/$s" || fail "$s has a syntax error"
done

dpkg-deb -x "$deb" "$scratch/root"
r=$scratch/root
version=$("$r/usr/bin/suanlid" --version)
[[ $version == "suanlid $(dpkg-deb -f "$deb" Version)" ]] || fail "suanlid --version says: $version"
"$r/usr/bin/suanli-wallet" --help >/dev/null || fail "suanli-wallet --help failed"
# The default configuration parses: the node gets as far as looking for its key.
if out=$("$r/usr/bin/suanlid" --config "$r/etc/suanli/node.json" 2>&1); then
  fail "suanlid started without a key or genesis"
fi
grep -q "key file /etc/suanli/node.key.json" <<<"$out" || fail "default config: $out"

unit=$r/usr/lib/systemd/system/suanlid.service
grep -q '^ExecStart=/usr/bin/suanlid --config /etc/suanli/node.json$' "$unit" || fail "ExecStart"
grep -q '^User=suanli$' "$unit" || fail "the unit does not run as suanli"
grep -q '^ProtectSystem=strict$' "$unit" || fail "the unit has no sandbox"
if command -v systemd-analyze >/dev/null; then
  # verify resolves ExecStart against the root; warnings about this host's
  # own units are not ours, so only lines naming suanlid count.
  # The scratch root needs the host's targets for the unit's dependencies.
  for t in /usr/lib/systemd/system /lib/systemd/system; do
    [[ -d $t ]] && cp -n "$t"/*.target "$r/usr/lib/systemd/system/" 2>/dev/null || true
  done
  problems=$(systemd-analyze verify --man=no --root="$r" "$unit" 2>&1 | grep -i suanlid || true)
  [[ -z $problems ]] || fail "systemd-analyze verify: $problems"
fi
echo "package check: ok ($(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version), $(wc -l <<<"$contents") entries)"
