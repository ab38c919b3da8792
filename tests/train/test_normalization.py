from __future__ import annotations

import torch

from echelon.train.normalization import RunningMeanStd


def test_two_batches_merge_to_the_single_batch_statistics() -> None:
    x = torch.randn(1000, dtype=torch.float64) * 3 + 2
    a, b = RunningMeanStd(), RunningMeanStd()
    a.update(x)
    b.update(x[:300])
    b.update(x[300:])
    assert abs(float(a.mean) - float(x.mean())) < 1e-12
    assert abs(float(a.var) - float(x.var(unbiased=False))) < 1e-10
    assert abs(float(a.mean) - float(b.mean)) < 1e-12
    assert abs(float(a.var) - float(b.var)) < 1e-10
    assert float(a.count) == 1000


def test_masked_rows_are_ignored_and_empty_updates_are_harmless() -> None:
    x = torch.tensor([1.0, 2.0, 1000.0, 3.0])
    mask = torch.tensor([True, True, False, True])
    rms = RunningMeanStd()
    rms.update(x, torch.zeros(4, dtype=torch.bool))
    assert float(rms.mean) == 0 and float(rms.var) == 1 and float(rms.count) == 0
    rms.update(x, mask)
    assert abs(float(rms.mean) - 2.0) < 1e-12
    assert abs(float(rms.var) - 2.0 / 3.0) < 1e-12


def test_normalize_denormalize_and_state_round_trip() -> None:
    rms = RunningMeanStd()
    rms.update(torch.tensor([4.0, 8.0, 12.0]))
    x = torch.tensor([0.0, 8.0, 20.0])
    torch.testing.assert_close(rms.denormalize(rms.normalize(x)), x)
    other = RunningMeanStd()
    other.load_state_dict(rms.state_dict())
    torch.testing.assert_close(other.normalize(x), rms.normalize(x))
