"""Checkpoints: safetensors tensors + JSON metadata, written atomically, loaded strictly.

A checkpoint is a directory::

    model.safetensors     policy weights only (what ``load_policy`` and the arena read)
    trainer.safetensors   optimiser state and other training tensors, flattened to
                          ``"optimizer/state/<param index>/<name>"``, ``"carry/..."`` etc.
    meta.json             format version, model spec (class + constructor args), obs
                          layout, config, counters, RNG states, normaliser state, optimiser
                          hyper-parameters, and the SHA-256 of both tensor files

Why these choices: ``safetensors`` stores tensors without pickle, so loading a file from a
league or a colleague can never execute code (the reference called ``torch.load`` with
``weights_only=False``); nothing here calls ``torch.load``. JSON keeps the metadata
readable and diffable.

Atomicity: everything is written into a temporary sibling directory
(``.<name>.tmp-<pid>-<random>``) and fsynced; then the
old checkpoint (if any) is renamed to ``<name>.previous``, the new one renamed into place,
the parent directory fsynced and the previous copy removed. A crash before the swap leaves
the old checkpoint untouched; a crash inside the two-rename window leaves
``<name>.previous``, which ``resolve_checkpoint_dir`` falls back to. The SHA-256 digests in
``meta.json`` catch any torn or edited file at load time. A checkpoint is deleted
(:func:`remove_checkpoint_dir`) by renaming it to a hidden ``.<name>.trash-<pid>-<random>``
first, so a kill mid-delete never leaves a half-deleted checkpoint under its real name. The
temporary and trash folders of writers that were killed (their process is gone) are removed by
the next write into the same folder (:func:`remove_orphans`).

Strict loading: missing, unexpected and mis-shaped keys are all listed in one error.

Untrusted input (docs/security.md): a checkpoint may come from anyone, and ``meta.json`` is
covered by no hash. Every file is read through ``echelon.fileio.read_regular`` (no symbolic
links, plain files only, sizes bounded by ``echelon.train.trust``), hashed and parsed from the
same bytes (so the hash covers exactly what is loaded), and ``meta.json`` is checked by
``echelon.train.trust.check_meta`` before anything acts on it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save_file
from torch import Tensor, nn

from echelon.fileio import dir_mode, file_mode, fsync_path, read_regular, sha256_file
from echelon.fileio import remove_orphans as fileio_remove_orphans
from echelon.rl.model import RecurrentActorCritic
from echelon.rl.registry import build_model
from echelon.train.trust import (
    MAX_META_BYTES,
    MAX_MODEL_FILE_BYTES,
    MAX_TRAINER_FILE_BYTES,
    check_meta,
)

FORMAT_VERSION = 1
MODEL_FILE = "model.safetensors"
TRAINER_FILE = "trainer.safetensors"
META_FILE = "meta.json"


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded: missing, incomplete, edited, or asking for too much."""


# -- files ------------------------------------------------------------------------------
def _contiguous_cpu(tensors: Mapping[str, Tensor]) -> dict[str, Tensor]:
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in tensors.items()}


_ORPHAN = re.compile(r"^\..+\.(tmp|trash)-(?P<pid>\d+)-[^/]*$")


def remove_orphans(folder: str | Path) -> list[Path]:
    """Delete ``.<name>.tmp-<pid>-*`` / ``.<name>.trash-<pid>-*`` folders in ``folder`` whose
    writer process no longer exists (killed mid-write or mid-delete)."""
    return fileio_remove_orphans(folder, _ORPHAN)


def remove_checkpoint_dir(path: str | Path) -> None:
    """Delete a checkpoint directory so that a kill at any moment leaves either the whole
    checkpoint under its name or none of it (see the module doc)."""
    target = Path(path)
    if not target.exists():
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.trash-{os.getpid()}-", dir=target.parent))
    os.replace(target, trash / target.name)
    fsync_path(target.parent)
    shutil.rmtree(trash, ignore_errors=True)


def write_checkpoint_dir(
    path: str | Path,
    model_tensors: Mapping[str, Tensor],
    trainer_tensors: Mapping[str, Tensor],
    meta: dict[str, Any],
) -> Path:
    """Atomically (re)place the checkpoint directory ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        tmp.chmod(dir_mode())  # mkdtemp makes 0700; a checkpoint follows the umask like any output
        save_file(_contiguous_cpu(model_tensors), str(tmp / MODEL_FILE))
        save_file(_contiguous_cpu(trainer_tensors), str(tmp / TRAINER_FILE))
        meta = dict(meta)
        meta["format_version"] = FORMAT_VERSION
        meta["sha256"] = {
            MODEL_FILE: sha256_file(tmp / MODEL_FILE),
            TRAINER_FILE: sha256_file(tmp / TRAINER_FILE),
        }
        with open(tmp / META_FILE, "w", encoding="utf-8") as fh:
            json.dump(meta, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        for name in (MODEL_FILE, TRAINER_FILE):
            (tmp / name).chmod(file_mode())  # safetensors writes 0600; outputs follow the umask
            fsync_path(tmp / name)
        fsync_path(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    previous = target.with_name(target.name + ".previous")
    if previous.exists():
        shutil.rmtree(previous)
    if target.exists():
        os.replace(target, previous)
    os.replace(tmp, target)
    fsync_path(target.parent)
    shutil.rmtree(previous, ignore_errors=True)
    return target


def resolve_checkpoint_dir(path: str | Path) -> Path:
    target = Path(path)
    if (target / META_FILE).is_file():
        return target
    previous = target.with_name(target.name + ".previous")
    if not target.exists() and (previous / META_FILE).is_file():
        return previous  # interrupted swap: the old checkpoint is intact here
    raise CheckpointError(f"no checkpoint at {target} (expected {META_FILE} inside)")


_FILE_LIMITS = {MODEL_FILE: MAX_MODEL_FILE_BYTES, TRAINER_FILE: MAX_TRAINER_FILE_BYTES}


def read_meta(root: Path) -> dict[str, Any]:
    """``meta.json`` of a checkpoint directory, parsed and checked (``trust.check_meta``)."""
    try:
        text = read_regular(root / META_FILE, MAX_META_BYTES, "checkpoint metadata")
        meta = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{root / META_FILE} is not valid JSON: {err}") from None
    except ValueError as err:  # a link, a device, too large
        raise CheckpointError(str(err)) from None
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        version = meta.get("format_version") if isinstance(meta, dict) else None
        raise CheckpointError(f"{root}: checkpoint format {version!r}, expected {FORMAT_VERSION}")
    try:
        check_meta(meta, root)
    except ValueError as err:
        raise CheckpointError(str(err)) from None
    return meta


def _read_tensors(root: Path, name: str, meta: dict[str, Any], device: str) -> dict[str, Tensor]:
    path = root / name
    try:
        data = read_regular(path, _FILE_LIMITS[name], "checkpoint file")
    except FileNotFoundError:
        raise CheckpointError(
            f"checkpoint {root} is incomplete: {name} is missing (it was interrupted while being "
            "written or deleted); use another checkpoint"
        ) from None
    except ValueError as err:
        raise CheckpointError(str(err)) from None
    expected = meta.get("sha256", {}).get(name)
    if expected is None or hashlib.sha256(data).hexdigest() != expected:
        raise CheckpointError(f"{path}: SHA-256 does not match meta.json")
    try:
        tensors = load_safetensors(data)
    except (SafetensorError, ValueError) as err:
        raise CheckpointError(f"{path} is not a valid safetensors file: {err}") from None
    return {k: v.to(device) for k, v in tensors.items()}


def read_checkpoint_dir(
    path: str | Path, device: torch.device | str = "cpu", with_trainer: bool = True
) -> tuple[dict[str, Tensor], dict[str, Tensor], dict[str, Any]]:
    root = resolve_checkpoint_dir(path)
    meta = read_meta(root)
    dev = str(torch.device(device))
    model_tensors = _read_tensors(root, MODEL_FILE, meta, dev)
    trainer_tensors = _read_tensors(root, TRAINER_FILE, meta, dev) if with_trainer else {}
    return model_tensors, trainer_tensors, meta


# -- strict state dicts -----------------------------------------------------------------
def load_state_strict(module: nn.Module, tensors: Mapping[str, Tensor], what: str) -> None:
    expected = module.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    mis_shaped = sorted(
        f"{k}: checkpoint {tuple(tensors[k].shape)} vs model {tuple(expected[k].shape)}"
        for k in set(expected) & set(tensors)
        if tensors[k].shape != expected[k].shape
    )
    problems = []
    if missing:
        problems.append(f"missing keys {missing}")
    if unexpected:
        problems.append(f"unexpected keys {unexpected}")
    if mis_shaped:
        problems.append(f"mis-shaped keys {mis_shaped}")
    if problems:
        raise CheckpointError(f"{what} does not match the checkpoint: " + "; ".join(problems))
    module.load_state_dict(dict(tensors), strict=True)


def flatten_optimizer(optimizer: torch.optim.Optimizer) -> tuple[dict[str, Tensor], dict[str, Any]]:
    state = optimizer.state_dict()
    tensors: dict[str, Tensor] = {}
    scalars: dict[str, Any] = {}
    for index, slots in state["state"].items():
        for name, value in slots.items():
            key = f"optimizer/state/{index}/{name}"
            if isinstance(value, Tensor):
                tensors[key] = value
            else:
                scalars[key] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def unflatten_optimizer(
    optimizer: torch.optim.Optimizer, tensors: Mapping[str, Tensor], meta: dict[str, Any]
) -> None:
    slots: dict[int, dict[str, Any]] = {}
    prefix = "optimizer/state/"
    for key, value in list(tensors.items()) + list(meta["scalars"].items()):
        if key.startswith(prefix):
            index, name = key[len(prefix) :].split("/", 1)
            slots.setdefault(int(index), {})[name] = value
    expected_params = sum(len(g["params"]) for g in optimizer.param_groups)
    saved_params = sum(len(g["params"]) for g in meta["param_groups"])
    if expected_params != saved_params:
        raise CheckpointError(
            f"optimizer has {expected_params} parameters but the checkpoint has {saved_params}"
        )
    optimizer.load_state_dict({"state": slots, "param_groups": meta["param_groups"]})


# -- RNG states as JSON data --------------------------------------------------------------
def _b64(t: Tensor) -> str:
    return base64.b64encode(t.cpu().numpy().tobytes()).decode("ascii")


def _unb64(s: str) -> Tensor:
    return torch.frombuffer(bytearray(base64.b64decode(s)), dtype=torch.uint8).clone()


def capture_rng_states(generators: Mapping[str, torch.Generator] | None = None) -> dict[str, Any]:
    np_state: tuple[Any, ...] = tuple(np.random.get_state())
    py_version, py_internal, py_gauss = random.getstate()
    out: dict[str, Any] = {
        "python": [py_version, list(py_internal), py_gauss],
        "numpy": [np_state[0], np_state[1].tolist(), *map(_plain, np_state[2:])],
        "torch": _b64(torch.get_rng_state()),
        "generators": {k: _b64(g.get_state()) for k, g in (generators or {}).items()},
    }
    if torch.cuda.is_available():
        out["cuda"] = [_b64(s) for s in torch.cuda.get_rng_state_all()]
    return out


def _plain(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x


def restore_rng_states(
    states: dict[str, Any], generators: Mapping[str, torch.Generator] | None = None
) -> None:
    version, internal, gauss = states["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = states["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(_unb64(states["torch"]))
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([_unb64(s) for s in states["cuda"]])
    for name, gen in (generators or {}).items():
        if name not in states["generators"]:
            raise CheckpointError(f"checkpoint has no state for RNG generator {name!r}")
        gen.set_state(_unb64(states["generators"][name]))


# -- public API ---------------------------------------------------------------------------
def save_checkpoint(
    path: str | Path,
    model: RecurrentActorCritic,
    meta: dict[str, Any] | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    extra_tensors: Mapping[str, Tensor] | None = None,
) -> Path:
    """Write ``model`` (+ optional optimiser and extra training tensors) to ``path``.

    ``meta`` may carry ``config``, ``counters``, ``rng``, ``value_normalizer``...; the model
    spec and observation layout are always added from the model itself.
    """
    trainer_tensors: dict[str, Tensor] = dict(extra_tensors or {})
    full_meta = dict(meta or {})
    if optimizer is not None:
        opt_tensors, opt_meta = flatten_optimizer(optimizer)
        trainer_tensors.update(opt_tensors)
        full_meta["optimizer"] = opt_meta
    full_meta["model_spec"] = model.spec()
    full_meta["obs_layout"] = model.spec()["kwargs"]["obs_layout"]
    return write_checkpoint_dir(path, model.state_dict(), trainer_tensors, full_meta)


def load_policy(
    path: str | Path, device: torch.device | str = "cpu"
) -> tuple[RecurrentActorCritic, dict[str, Any]]:
    """Rebuild the policy stored at ``path`` (eval mode, on ``device``) and its metadata."""
    tensors, _, meta = read_checkpoint_dir(path, device, with_trainer=False)
    try:
        model = build_model(meta["model_spec"]).to(device)
    except ValueError as err:  # sizes passed check_meta; a layout or value may still be wrong
        raise CheckpointError(f"{path}: meta.json model_spec is invalid: {err}") from None
    load_state_strict(model, tensors, f"{meta['model_spec']['class']} built from {path}")
    model.eval()
    return model, meta


def load_checkpoint(
    path: str | Path,
    model: RecurrentActorCritic,
    optimizer: torch.optim.Optimizer | None = None,
    device: torch.device | str = "cpu",
) -> tuple[dict[str, Any], dict[str, Tensor]]:
    """Load weights (and optimiser state) into existing objects, strictly.

    Returns ``(meta, trainer_tensors)``; the caller restores counters, RNG and carry.
    """
    model_tensors, trainer_tensors, meta = read_checkpoint_dir(path, device)
    apply_checkpoint(model, optimizer, model_tensors, trainer_tensors, meta, path)
    return meta, trainer_tensors


def apply_checkpoint(
    model: RecurrentActorCritic,
    optimizer: torch.optim.Optimizer | None,
    model_tensors: Mapping[str, Tensor],
    trainer_tensors: Mapping[str, Tensor],
    meta: dict[str, Any],
    path: str | Path,
) -> None:
    """Load weights and optimiser state that were read already (``read_checkpoint_dir``,
    possibly by another process: a distributed run reads on rank 0 and sends), strictly."""
    load_state_strict(model, model_tensors, type(model).__name__)
    if optimizer is not None:
        if "optimizer" not in meta:
            raise CheckpointError(f"{path} holds no optimizer state")
        unflatten_optimizer(optimizer, trainer_tensors, meta["optimizer"])
