#!/usr/bin/env bash
# Downloads, on a machine where pip reaches an index, the pure-Python wheels bench/gpu_run.sh may
# need on a GPU machine that has none (README, "GPU checks"): its Python 3.12 has torch, numpy,
# nanobind, scikit-build-core, cmake, ninja, pytest, but not gymnasium and its dependencies.
# gpu_run.sh installs only those whose import fails there. Keep one version of each in .whl/.
set -euo pipefail
cd "$(dirname "$0")/.."
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qx '/.whl/' "$exclude" 2>/dev/null || echo '/.whl/' >>"$exclude"
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl \
  gymnasium farama-notifications cloudpickle typing_extensions pytest pluggy iniconfig packaging
ls .whl
