#!/usr/bin/env bash
# Regenerates python/echelon/_core.pyi from a dev build (tools/dev_build.sh). Buffers are typed
# `Buffer` (any DLPack array: numpy, or torch on CPU or CUDA) rather than numpy-only NDArray.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-$root/.venv/bin/python}
export PYTHONPATH=$("$root/tools/dev_build.sh" "${1:-dev}")
"$py" -m nanobind.stubgen -q -m echelon._core -o "$root/python/echelon/_core.pyi"
python3 - "$root/python/echelon/_core.pyi" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"Annotated\[NDArray\[[^\]]*\], dict\([^)]*\)\]", "Buffer", s)
s = re.sub(r"Annotated\[NDArray, dict\([^)]*\)\]", "Buffer", s)
s = re.sub(r"NDArray\[[^\]]*\]", "Buffer", s)
s = s.replace("from numpy.typing import NDArray\n", "")
# Properties attached with setattr (combat/heuristic bindings) come out as static functions.
s = re.sub(r"@property\n(\s+)@staticmethod\n(\s+)def (\w+)\(arg: [\w.]+, /\)",
           r"@property\n\2def \3(self)", s)
s = re.sub(r"@(\w+)\.setter\n(\s+)@staticmethod\n(\s+)def (\w+)\(arg0: [\w.]+, arg1: ([^,]+), /\)",
           r"@\1.setter\n\3def \4(self, value: \5)", s)
s = s.replace("import numpy\n", "from typing import Any, TypeAlias\n\nimport numpy\n", 1)
s = s.replace("\n\nhas_cuda", "\n\nBuffer: TypeAlias = Any  # any DLPack array: numpy, torch CPU or CUDA\n\nhas_cuda", 1)
open(p, "w").write(s)
PY
echo "wrote python/echelon/_core.pyi"
