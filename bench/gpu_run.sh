#!/usr/bin/env bash
# Everything that needs a GPU, for a lent GPU machine (see README "GPU checks"):
#   bash bench/gpu_run.sh [all|test|bench]
# `test` builds with the kernels (ECHELON_CUDA=ON) and runs the CUDA tests; `bench` runs the
# kernel, ray and env benchmarks (building first if this Python has no CUDA build of echelon).
# The stages fit separate device calls when one call's time limit is short.
# Expects python3 with torch, nanobind, scikit-build-core; wheels of missing pure-Python packages
# in .whl/ (bench/gpu_wheels.sh fetches them). Writes JSON results to $OUT (or bench/results).
set -uo pipefail
stage=${1:-all}
case "$stage" in all|test|bench) ;; *) echo "usage: $0 [all|test|bench]" >&2; exit 2;; esac
src=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$src/bench/results}
mkdir -p "$out"

# Install from .whl/ only what this Python cannot import, so nothing the machine already has
# (numpy, torch's own dependencies) is shadowed.
missing=()
for pair in gymnasium:gymnasium farama_notifications:farama-notifications cloudpickle:cloudpickle \
            typing_extensions:typing_extensions pytest:pytest pluggy:pluggy iniconfig:iniconfig packaging:packaging; do
  python3 -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing from .whl/: ${missing[*]}"
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --find-links "$src/.whl" \
    --target /tmp/site "${missing[@]}" || echo "could not install ${missing[*]}: run bench/gpu_wheels.sh first"
fi
export PYTHONPATH=/tmp/site
cd /tmp  # import the installed package, not the source tree

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "cpus: $(nproc)"
if ! python3 -c "import echelon._core as c, sys; sys.exit(0 if c.has_cuda else 1)" 2>/dev/null; then
  echo "building echelon with the CUDA kernels ..."
  time (ECHELON_CUDA=ON python3 -m pip install -q --no-build-isolation --no-deps "$src" 2>&1 | tail -3)
fi
python3 -c "import echelon._core as c; print('has_cuda', c.has_cuda)"

if [ "$stage" != bench ]; then
  python3 -m pytest -q -p no:cacheprovider --rootdir "$src" -rs "$src/tests/world/test_raycast.py" \
    "$src/tests/test_vec_env.py" "$src/tests/obs" "$src/tests/snapshot" "$src/tests/test_bench.py" 2>&1 | tail -15
fi
if [ "$stage" != test ]; then
  python3 -m echelon bench kernels --worlds 256,1024,4096 --out "$out/kernels.json" | tail -6
  python3 -m echelon bench rays --rays 4000000 --out "$out/rays.json" | tail -5
  python3 -m echelon bench env --device cuda --worlds 256,1024,4096 --threads 16 --steps 100 --split \
    --out "$out/env_cuda.json" | tail -6
  python3 -m echelon bench env --device cpu --worlds 64,1024,4096 --threads 1,4,16 --steps 100 --split \
    --out "$out/env_cpu.json" | tail -12
fi
