"""Run the training tests on one torch thread.

These tests are small; on a shared 2-core machine, torch's intra-op thread pool spinning
against other processes made them 5x slower than on one thread (measured: 23 s vs 4 s for
the memory task under load). The previous setting is restored after each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
