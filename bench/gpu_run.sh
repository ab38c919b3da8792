#!/usr/bin/env bash
# Everything that needs a GPU, in one command for a lent GPU machine (see README "GPU checks").
# Expects python3 with torch, nanobind, scikit-build-core; wheels of missing pure-Python packages
# in .whl/ (bench/gpu_wheels.sh fetches them). Writes JSON results to $OUT (or bench/results).
set -uo pipefail
out=${OUT:-bench/results}
mkdir -p "$out"
# Install from .whl/ (bench/gpu_wheels.sh) only what this Python cannot import, so nothing the
# machine already has (numpy, torch's own dependencies) is shadowed.
missing=()
for pair in gymnasium:gymnasium farama_notifications:farama-notifications cloudpickle:cloudpickle \
            typing_extensions:typing_extensions pytest:pytest pluggy:pluggy iniconfig:iniconfig packaging:packaging; do
  python3 -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing from .whl/: ${missing[*]}"
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --find-links .whl \
    --target /tmp/site "${missing[@]}" || echo "could not install ${missing[*]}: run bench/gpu_wheels.sh first"
  export PYTHONPATH=/tmp/site
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nproc
ECHELON_CUDA=ON python3 -m pip install -q --no-build-isolation --no-deps . 2>&1 | tail -3
cd /tmp  # import the installed package, not the source tree
src=$OLDPWD
python3 -c "import echelon._core as c; print('has_cuda', c.has_cuda)"
python3 -m pytest -q -p no:cacheprovider --rootdir "$src" "$src/tests/test_raycast.py" "$src/tests/test_vec_env.py" \
  "$src/tests/obs" "$src/tests/snapshot" 2>&1 | tail -6
python3 -m echelon bench kernels --worlds 256,1024,4096 --out "$out/kernels.json" | tail -6
python3 -m echelon bench rays --rays 4000000 --out "$out/rays.json" | tail -5
python3 -m echelon bench env --worlds 1,64,256,1024,4096 --threads 1,2,4,8,16 --steps 100 --split \
  --out "$out/env_cpu.json" | tail -30
python3 -m echelon bench env --device cuda --worlds 256,1024,4096 --threads 16 --steps 100 --split \
  --out "$out/env_cuda.json" | tail -6
