"""Tiny PNG images drawn from a function of (x, y), with no imaging library.

Enough for an app icon: each pixel's RGBA comes from the caller; the file is one IDAT
chunk of unfiltered rows, compressed with zlib.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

RGBA = tuple[int, int, int, int]


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def draw(width: int, height: int, pixel: Callable[[int, int], RGBA]) -> bytes:
    """A truecolour-with-alpha PNG of the given size."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )
