#!/usr/bin/env bash
# Incremental developer build of the extension into build/<name>, without pip.
# Prints a PYTHONPATH under which `import echelon` uses that build:
#   export PYTHONPATH=$(tools/dev_build.sh mybuild)
# Several developers can build side by side: each name gets its own build folder and overlay.
set -euo pipefail
name=${1:-dev}
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-$root/.venv/bin/python}
build=$root/build/$name
overlay=$build/pyroot
mkdir -p "$build"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DECHELON_BUILD_PYTHON=ON -DPython_EXECUTABLE="$py" >"$build/cmake.log" 2>&1 \
    || { cat "$build/cmake.log" >&2; exit 1; }
fi
ninja -C "$build" >"$build/ninja.log" 2>&1 || { grep -E "error|FAILED" -A5 "$build/ninja.log" >&2; exit 1; }
# An overlay package: every entry of python/echelon linked in, plus this build's _core.
rm -rf "$overlay" && mkdir -p "$overlay/echelon"
for f in "$root"/python/echelon/*; do
  case "$(basename "$f")" in _core*) ;; *) ln -s "$f" "$overlay/echelon/";; esac
done
ln -s "$build"/_core*.so "$overlay/echelon/"
echo "$overlay"
