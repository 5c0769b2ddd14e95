"""Spreadsheet-safe cells for every CSV and XLSX export of the suite.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by spreadsheet programs (CSV injection, OWASP). Partner names, lot
numbers and references come from users, suppliers and customers, so every export writes
its cells through this module:

- CSV: such a text gets a leading apostrophe, which spreadsheets show as text;
- XLSX: every text cell is written with ``write_string``, never ``write`` (which turns
  ``=...`` into a formula), so the text stays exactly what was recorded.

Numbers, dates and booleans are left alone: only text can carry a formula.
"""

import csv
import io

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """``value`` for a CSV cell: texts that would start a formula get a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_write(stream, header, rows):
    """Write ``header`` and ``rows`` (any iterable, consumed once) as UTF-8 CSV (with BOM,
    for spreadsheet programs) on the binary file object ``stream``, every text cell made
    formula-safe. Rows are encoded and written as they come, never joined in one text."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([csv_safe(cell) for cell in header])
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    text.flush()
    text.detach()


def csv_bytes(header, rows):
    """UTF-8 CSV (with BOM) of ``header`` and ``rows`` -> bytes, see :func:`csv_write`."""
    buffer = io.BytesIO()
    csv_write(buffer, header, rows)
    return buffer.getvalue()


def xlsx_write_row(sheet, row_index, row, cell_format=None):
    """Write ``row`` on ``sheet`` at ``row_index``: texts with ``write_string`` (never a
    formula), numbers with ``write_number``, empty cells left blank, anything else
    (dates, booleans) with ``write``."""
    for column, cell in enumerate(row):
        if cell is None or cell is False or cell == "":
            continue
        if isinstance(cell, str):
            sheet.write_string(row_index, column, cell, cell_format)
        elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
            sheet.write_number(row_index, column, cell, cell_format)
        else:
            sheet.write(row_index, column, cell, cell_format)
