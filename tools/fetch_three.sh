#!/usr/bin/env bash
# Fetches the pinned three.js release with npm and copies the files the replay viewer needs into
# the Python package (python/echelon/replay/static/three/), so the viewer works offline and the
# wheel carries them. Run it only to change the pinned version; the files are committed.
set -euo pipefail
version=${1:-0.187.0}
root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/python/echelon/replay/static/three
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "three@$version" >/dev/null && tar xzf "three-$version.tgz")
mkdir -p "$dest"
cp "$tmp/package/build/three.module.js" "$tmp/package/build/three.core.js" "$dest/"
cp "$tmp/package/examples/jsm/controls/OrbitControls.js" "$dest/"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
printf 'three.js %s (npm "three", MIT, see LICENSE): build/three.module.js, build/three.core.js,\nexamples/jsm/controls/OrbitControls.js. Fetched by tools/fetch_three.sh.\n' "$version" >"$dest/VERSION"
echo "three.js $version -> $dest"
