"""Replays: record matches in the core, save them in a compact checked format, watch them in a
browser (``echelon replay view``) or render them to video (``echelon replay render``).
See docs/replay.md."""

from echelon.replay.format import FILE_SUFFIX, FORMAT_VERSION, ReplayError, read_header
from echelon.replay.recording import Recording, replay_from_record
from echelon.replay.replay import Replay

__all__ = [
    "FILE_SUFFIX",
    "FORMAT_VERSION",
    "Recording",
    "Replay",
    "ReplayError",
    "read_header",
    "replay_from_record",
]
