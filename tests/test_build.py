"""The build itself: CUDA kernels present when CI asks for them, and the package metadata."""

from __future__ import annotations

import os

import pytest

import echelon
from echelon import _core


@pytest.mark.skipif(
    os.environ.get("ECHELON_CUDA") != "ON", reason="only when the build was ECHELON_CUDA=ON"
)
def test_cuda_kernels_were_compiled() -> None:
    assert _core.has_cuda, "ECHELON_CUDA=ON but the extension has no CUDA kernels"


def test_extension_is_importable_without_torch_linkage() -> None:
    # The core speaks DLPack; it must not depend on torch's shared libraries.
    import pathlib

    so = pathlib.Path(_core.__file__).read_bytes()
    assert b"libtorch" not in so and b"libc10" not in so
    assert echelon.__version__
