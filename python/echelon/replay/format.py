"""The replay file format, version 1 (docs/replay.md): bytes <-> (header dict, named arrays).

Layout, all integers little-endian::

    magic      8 bytes  b"\\x89ECHREP\\n"  (the high byte and the newline catch text-mode mangling)
    version    u32      FORMAT_VERSION
    header_len u32      bytes of the JSON header
    header_crc u32      CRC-32 of the JSON header bytes
    header     UTF-8 JSON: the replay's metadata, plus "sections" and "body_length"
    body       the sections' stored bytes, back to back

Each section is one array: ``{"name", "dtype", "shape", "codec", "offset", "length", "crc32"}``
with ``offset``/``length`` in the body, ``crc32`` of the stored bytes, dtype one of ``DTYPES``
and codec ``zlib`` (RFC 1950) or ``shuffle-zlib`` (bytes regrouped by significance before zlib:
byte 0 of every element, then byte 1, ... which lets deflate find the slowly changing high bytes
of floats). zlib because every reader has it: Python's ``zlib`` and the browser's
``DecompressionStream("deflate")``, so the viewer needs no decompression library.

Reading never runs code from the file: the header is parsed with ``json.loads`` and arrays are
built from a fixed dtype table. Every size is checked before it is used, decompression is bounded
by the declared size, and any mismatch raises ``ReplayError`` naming the problem.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"\x89ECHREP\n"
FORMAT_VERSION = 1
FILE_SUFFIX = ".echrep"
_PREFIX = struct.Struct("<8sIII")
PREFIX_BYTES = _PREFIX.size
MAX_HEADER_BYTES = 16 << 20
MAX_SECTION_BYTES = 1 << 30  # decompressed, per section
DTYPES: dict[str, np.dtype[Any]] = {
    "u1": np.dtype("u1"),
    "i1": np.dtype("i1"),
    "u2": np.dtype("<u2"),
    "i2": np.dtype("<i2"),
    "u4": np.dtype("<u4"),
    "i4": np.dtype("<i4"),
    "f4": np.dtype("<f4"),
}
CODECS = ("zlib", "shuffle-zlib")
_RESERVED_KEYS = ("sections", "body_length")


class ReplayError(ValueError):
    """A replay file that cannot be read: names the file and what is wrong with it."""


def _dtype_code(dtype: np.dtype[Any]) -> str:
    for code, dt in DTYPES.items():
        if dt == dtype.newbyteorder("<") or dt == dtype:
            return code
    raise ValueError(f"replay arrays must be one of {sorted(DTYPES)}, got dtype {dtype}")


def encode(header: Mapping[str, Any], arrays: Mapping[str, np.ndarray], level: int = 6) -> bytes:
    """Serialises a header (JSON-compatible values) and named arrays into replay bytes."""
    for key in _RESERVED_KEYS:
        if key in header:
            raise ValueError(f"header key {key!r} is reserved for the format")
    sections: list[dict[str, Any]] = []
    blobs: list[bytes] = []
    offset = 0
    for name, array in arrays.items():
        code = _dtype_code(array.dtype)
        a = np.ascontiguousarray(array, dtype=DTYPES[code])
        raw = a.tobytes()
        codec = "shuffle-zlib" if a.itemsize > 1 else "zlib"
        if codec == "shuffle-zlib":
            raw = np.frombuffer(raw, np.uint8).reshape(-1, a.itemsize).T.tobytes()
        stored = zlib.compress(raw, level)
        sections.append(
            {
                "name": name,
                "dtype": code,
                "shape": [int(d) for d in a.shape],
                "codec": codec,
                "offset": offset,
                "length": len(stored),
                "crc32": zlib.crc32(stored),
            }
        )
        blobs.append(stored)
        offset += len(stored)
    full = {**header, "sections": sections, "body_length": offset}
    text = json.dumps(full, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()
    prefix = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(text), zlib.crc32(text))
    return b"".join([prefix, text, *blobs])


def _fail(source: str, problem: str) -> ReplayError:
    return ReplayError(f"{source}: {problem}")


def parse_header(
    data: bytes, source: str, file_size: int | None = None
) -> tuple[dict[str, Any], int]:
    """Checks the prefix and the header; returns (header, offset of the body). ``data`` needs
    only the prefix and the header; ``file_size`` (default ``len(data)``) is checked against the
    size the header declares, so a truncated file is reported before any section is read."""
    size = len(data) if file_size is None else file_size
    if len(data) < PREFIX_BYTES:
        if data[: len(MAGIC)] != MAGIC[: len(data)]:
            raise _fail(source, "not an Echelon replay (the file does not start with its magic)")
        raise _fail(
            source, f"truncated: {len(data)} bytes, shorter than the {PREFIX_BYTES}-byte prefix"
        )
    magic, version, header_len, header_crc = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise _fail(source, "not an Echelon replay (the file does not start with its magic)")
    if version > FORMAT_VERSION:
        raise _fail(
            source,
            f"format version {version} is newer than this Echelon reads ({FORMAT_VERSION}): "
            "upgrade echelon",
        )
    if version < 1:
        raise _fail(source, f"invalid format version {version}")
    if header_len > MAX_HEADER_BYTES:
        raise _fail(source, f"corrupt: header length {header_len} exceeds {MAX_HEADER_BYTES}")
    body_start = PREFIX_BYTES + header_len
    if len(data) < body_start:
        raise _fail(
            source,
            f"truncated: the header needs {body_start} bytes, the file has {max(size, len(data))}",
        )
    text = bytes(data[PREFIX_BYTES:body_start])
    if zlib.crc32(text) != header_crc:
        raise _fail(source, "corrupt: header checksum mismatch")
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(source, f"corrupt: header is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise _fail(source, "corrupt: header is not a JSON object")
    body_length = header.get("body_length")
    if not isinstance(body_length, int) or body_length < 0:
        raise _fail(source, "corrupt: header lacks a valid body_length")
    expected = body_start + body_length
    if size < expected:
        raise _fail(source, f"truncated: expected {expected} bytes, the file has {size}")
    if size > expected:
        raise _fail(source, f"corrupt: {size - expected} unexpected bytes after the last section")
    if not isinstance(header.get("sections"), list):
        raise _fail(source, "corrupt: header lacks its section table")
    return header, body_start


def _check_section(
    sec: Any, body_length: int, source: str
) -> tuple[str, np.dtype[Any], tuple[int, ...]]:
    if not isinstance(sec, dict):
        raise _fail(source, "corrupt: a section entry is not an object")
    name = sec.get("name")
    if not isinstance(name, str) or not name:
        raise _fail(source, "corrupt: a section has no name")
    code, shape, codec = sec.get("dtype"), sec.get("shape"), sec.get("codec")
    if code not in DTYPES:
        raise _fail(source, f"corrupt: section {name!r} has unknown dtype {code!r}")
    if codec not in CODECS:
        raise _fail(source, f"corrupt: section {name!r} has unknown codec {codec!r}")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise _fail(source, f"corrupt: section {name!r} has an invalid shape {shape!r}")
    off, length = sec.get("offset"), sec.get("length")
    if not (isinstance(off, int) and isinstance(length, int) and off >= 0 and length >= 0):
        raise _fail(source, f"corrupt: section {name!r} has an invalid offset or length")
    if off + length > body_length:
        raise _fail(source, f"corrupt: section {name!r} extends past the end of the body")
    if not isinstance(sec.get("crc32"), int):
        raise _fail(source, f"corrupt: section {name!r} has no checksum")
    dtype = DTYPES[code]
    if math.prod(shape) * dtype.itemsize > MAX_SECTION_BYTES:
        raise _fail(
            source, f"corrupt: section {name!r} declares more than {MAX_SECTION_BYTES} bytes"
        )
    return name, dtype, tuple(shape)


def decode(data: bytes, source: str = "<bytes>") -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Parses replay bytes into (header without the format's own keys, arrays by name)."""
    header, body_start = parse_header(data, source)
    body_length: int = header["body_length"]
    arrays: dict[str, np.ndarray] = {}
    for sec in header["sections"]:
        name, dtype, shape = _check_section(sec, body_length, source)
        if name in arrays:
            raise _fail(source, f"corrupt: section {name!r} appears twice")
        start = body_start + sec["offset"]
        stored = bytes(data[start : start + sec["length"]])
        if zlib.crc32(stored) != sec["crc32"]:
            raise _fail(source, f"corrupt: checksum mismatch in section {name!r}")
        want = math.prod(shape) * dtype.itemsize
        try:
            inflater = zlib.decompressobj()
            raw = inflater.decompress(stored, want + 1)  # bounded: never more than declared
        except zlib.error as exc:
            raise _fail(source, f"corrupt: section {name!r} does not decompress ({exc})") from None
        if len(raw) != want or not inflater.eof:
            raise _fail(
                source, f"corrupt: section {name!r} holds {len(raw)} bytes, expected {want}"
            )
        buf = np.frombuffer(raw, np.uint8)
        if sec["codec"] == "shuffle-zlib":
            buf = buf.reshape(dtype.itemsize, -1).T
        arrays[name] = np.ascontiguousarray(buf).view(dtype).reshape(shape)
    for key in _RESERVED_KEYS:
        header.pop(key, None)
    return header, arrays


def read_header(path: str | Path) -> dict[str, Any]:
    """The header of a replay file (without its section table), reading only the file's start;
    the prefix, header checksum and file size are verified, the sections are not."""
    p = Path(path)
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(PREFIX_BYTES)
            if len(head) == PREFIX_BYTES and head[:8] == MAGIC:
                header_len = _PREFIX.unpack_from(head)[2]
                head += fh.read(min(header_len, MAX_HEADER_BYTES + 1))
    except OSError as exc:
        raise ReplayError(f"{p}: cannot read ({exc.strerror or exc})") from None
    header, _ = parse_header(head, str(p), size)
    for key in _RESERVED_KEYS:
        header.pop(key, None)
    return header
