#!/usr/bin/env bash
# Everything that needs a GPU, in one call of a lent GPU machine (README "GPU checks"):
#   bash bench/gpu_run.sh [all|test|bench] [--dry-run]
# Sized for a 10-minute call with a rerun possible in 15 minutes of device time:
#   deps   install from .whl/ only the test dependencies this Python cannot import
#   gpu    nvidia-smi must see a GPU
#   build  echelon with the CUDA kernels: a prebuilt .whl/echelon-*.whl when it imports with
#          has_cuda, else a build for sm_${ECHELON_CUDA_ARCH:-90} only (one architecture: minutes
#          less of nvcc than the default three)
#   test   only the `cuda`-marked tests (the CPU suite runs everywhere else)
#   bench  kernels, rays, the CUDA env at 256/1024/4096 worlds and the CPU env at the same worlds
#          and thread count, training updates on the GPU (echelon bench train)
# Each stage runs under `timeout`, prints its time, and stops the script on failure (set -e);
# full logs (build, pytest, each bench) and the JSON results go to $OUT (or bench/results/).
# --dry-run prints what each stage would run and checks nothing needs a GPU to get that far.
set -euo pipefail
stage=all
dry=0
for arg in "$@"; do
  case "$arg" in
    all|test|bench) stage=$arg ;;
    --dry-run) dry=1 ;;
    *) echo "usage: $0 [all|test|bench] [--dry-run]" >&2; exit 2 ;;
  esac
done
src=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$src/bench/results}
arch=${ECHELON_CUDA_ARCH:-90}
site=${ECHELON_SITE:-/tmp/site}
py=${PYTHON:-python3}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"

# run_stage NAME SECONDS LOG CMD...: CMD under `timeout`, its output to LOG (and the tail here).
run_stage() {
  local name=$1 limit=$2 log=$3
  shift 3
  if [ "$dry" = 1 ]; then
    echo "[dry-run] $name (timeout ${limit}s, log $log): $*"
    return 0
  fi
  local start=$SECONDS rc=0
  echo "== $name (timeout ${limit}s, log $log)"
  timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1 || rc=$?
  tail -n 15 "$log"
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 124 ] && echo "== $name: timed out after ${limit}s" || echo "== $name: FAILED (exit $rc)"
    echo "   full log: $log"
    exit "$rc"
  fi
  echo "== $name: ok in $((SECONDS - start))s"
}

# --- deps: the pure-Python test dependencies, from .whl/ only where the import fails, so
# nothing the machine has (numpy, torch and theirs) is shadowed ---
missing=()
for pair in gymnasium:gymnasium farama_notifications:farama-notifications cloudpickle:cloudpickle \
            typing_extensions:typing_extensions pytest:pytest pluggy:pluggy iniconfig:iniconfig \
            packaging:packaging; do
  "$py" -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  absent=()
  for name in "${missing[@]}"; do
    compgen -G "$src/.whl/${name//-/_}-*.whl" >/dev/null || absent+=("$name")
  done
  if [ ${#absent[@]} -gt 0 ]; then
    echo "missing test dependencies: ${missing[*]}; no wheel in .whl/ for: ${absent[*]}." >&2
    echo "Prepare them where pip works (README, 'GPU checks': bash bench/gpu_wheels.sh) and carry .whl/." >&2
    exit 3
  fi
  run_stage deps 120 "$out/deps.log" "$py" -m pip install -q --no-index --no-deps --no-compile \
    --no-cache-dir --find-links "$src/.whl" --target "$site" "${missing[@]}"
fi

# --- gpu ---
if [ "$dry" = 0 ]; then
  if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi --query-gpu=name,memory.total,driver_version \
      --format=csv,noheader; then
    echo "no NVIDIA GPU visible (nvidia-smi missing or failing): bench/gpu_run.sh is for a GPU machine." >&2
    echo "Without one: pytest tests/obs/test_mirror_parity.py and echelon bench env --obs-backend cuda-emulated." >&2
    exit 4
  fi
  echo "cpus: $(nproc)"
fi
cd /tmp  # import the installed package, not the source tree

# --- build: a prebuilt wheel if it imports with the kernels, else sm_$arch only ---
has_cuda() { "$py" -c "import echelon._core as c, sys; sys.exit(0 if c.has_cuda else 1)" 2>/dev/null; }
if [ "$dry" = 1 ] || ! has_cuda; then
  wheel=$(compgen -G "$src/.whl/echelon-*.whl" | head -n 1 || true)
  if [ -n "$wheel" ]; then
    run_stage wheel 120 "$out/wheel.log" "$py" -m pip install -q --no-index --no-deps --no-compile \
      --no-cache-dir --target "$site" "$wheel"
  fi
  if [ "$dry" = 1 ] || ! has_cuda; then
    export ECHELON_CUDA=ON CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
    export CMAKE_ARGS="-DCMAKE_CUDA_ARCHITECTURES=$arch ${CMAKE_ARGS:-}"
    run_stage build 420 "$out/build.log" "$py" -m pip install -v --no-build-isolation --no-deps \
      --no-compile --no-cache-dir --target "$site" "$src"
  fi
fi
[ "$dry" = 1 ] || "$py" -c "import echelon._core as c; print('echelon has_cuda', c.has_cuda)"

# --- test: the cuda-marked tests only ---
if [ "$stage" != bench ]; then
  mapfile -t files < <(grep -rl "mark\.cuda" "$src/tests" --include='test_*.py' | sort)
  run_stage test 300 "$out/pytest.log" "$py" -m pytest -q -p no:cacheprovider --rootdir "$src" -m cuda -rs \
    --junitxml "$out/pytest.xml" "${files[@]}"
fi

# --- bench ---
if [ "$stage" != test ]; then
  run_stage "bench kernels" 120 "$out/kernels.log" "$py" -m echelon bench kernels --worlds 256,1024,4096 \
    --out "$out/kernels.json"
  run_stage "bench rays" 60 "$out/rays.log" "$py" -m echelon bench rays --rays 4000000 --out "$out/rays.json"
  run_stage "bench env cuda" 150 "$out/env_cuda.log" "$py" -m echelon bench env --device cuda \
    --worlds 256,1024,4096 --threads 16 --steps 50 --split --out "$out/env_cuda.json"
  # The CPU path at the same worlds and thread count: the comparison only this machine can make.
  run_stage "bench env cpu" 150 "$out/env_cpu.log" "$py" -m echelon bench env --device cpu \
    --worlds 256,1024,4096 --threads 16 --steps 20 --split --out "$out/env_cpu.json"
  run_stage "bench train cuda" 120 "$out/train_cuda.log" "$py" -m echelon bench train --device cuda \
    --updates 3 --warmup 1 --out "$out/train_cuda.json"
fi
echo "results and logs in $out"
