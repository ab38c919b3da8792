"""Tolerances for comparing float32 results computed in two different ways.

Two float32 computations of the same quantity (a chunked LSTM against a step-by-step loop, a
batched forward against per-row calls) differ by rounding: the kernels torch picks (MKL, oneDNN,
AVX2 or AVX-512 code paths) sum in different orders on different CPUs. Each rounding step is off
by at most half an ulp (float32 epsilon 2**-23 = 1.19e-7 relative), and the error of a sum grows
with the number of terms and with the magnitude of the terms, not of the result. So:

* a relative term: ``F32_RTOL = 1e-5`` is about 80 ulps, room for the few hundred rounded
  operations behind each value in these tests;
* an absolute floor proportional to the tensor's scale: an element that is the small result of
  cancelling large terms (a gradient entry near zero among entries of order 10) carries an error
  of order epsilon x the terms, not epsilon x itself. ``F32_RTOL x max|expected|`` bounds it;
* a tiny fixed floor (``1e-7``) for tensors that are all near zero, so that exact zeros compare
  equal and float noise around zero does not fail.
"""

from __future__ import annotations

import torch

F32_RTOL = 1e-5
F32_ATOL_FLOOR = 1e-7


def assert_close_f32(actual: torch.Tensor, expected: torch.Tensor, rtol: float = F32_RTOL) -> None:
    """``assert_close`` with float32 tolerances: relative, plus a floor scaled by the tensor."""
    scale = float(expected.detach().abs().max()) if expected.numel() else 0.0
    atol = max(rtol * scale, F32_ATOL_FLOOR)
    torch.testing.assert_close(actual, expected, rtol=rtol, atol=atol)
