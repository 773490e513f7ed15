"""CSV files that spreadsheets open as data, never as formulas.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` (and,
in some versions, a tab or carriage return before one of them) as a formula. A cohort named
`=HYPERLINK(...)` would then become a live link, or worse, in the admin's spreadsheet.

The rule, used by every CSV Bridgework writes:
- a text cell that starts with one of those characters gets a leading apostrophe, which
  spreadsheets read as "this is text" and hide;
- a cell that is only a number (`-0.30`, `+2`, `1,234`, `-5%`) or only a dash (our "no
  value") is left as it is, because it cannot call a function and the apostrophe would turn
  a number into text;
- numbers given as int, float or Decimal are written as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?|-")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(cell: object) -> object:
    """The cell as it is safe to write (see the module's rule)."""
    if cell is None or isinstance(cell, (bool, int, float, Decimal)):
        return cell
    text = str(cell)
    if text.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` with every cell passed through `neutralise`."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: _Writable, **options: Any) -> SafeWriter:
    return SafeWriter(stream, **options)
