#!/usr/bin/env bash
# Downloads, on a machine with internet, the pure-Python wheels bench/gpu_run.sh may need on a GPU
# machine that has none (its Python has torch, numpy, nanobind, scikit-build-core, cmake, ninja
# but not the test or env dependencies). gpu_run.sh installs only those whose import fails.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip download -q --no-deps --only-binary=:all: -d .whl \
  gymnasium farama-notifications cloudpickle typing_extensions pytest pluggy iniconfig packaging
ls .whl
