"""Spreadsheet-safe cells for every CSV and XLSX export of the suite.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by spreadsheet programs (CSV injection, OWASP). Partner names, lot
numbers and references come from users, suppliers and customers, so every export writes
its cells through this module:

- CSV: such a text gets a leading apostrophe, which spreadsheets show as text;
- XLSX: every text cell is written with ``write_string``, never ``write`` (which turns
  ``=...`` into a formula), so the text stays exactly what was recorded.

Numbers, dates and booleans are left alone: only text can carry a formula.

Large tables (the FDA FSMA 204 sheet of a recall: hundreds of thousands of cells) are
written by :func:`xlsx_bytes`, which writes the workbook's XML itself, streamed row by
row into the file: every text is an inline string (a text cell can never be read as a
formula), and it is about three times faster than xlsxwriter (bench/README.md, recall).
"""

import csv
import dataclasses
import datetime
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

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


# Limits of an Excel worksheet.
XLSX_MAX_ROWS = 1048576
XLSX_MAX_TEXT = 32767
# Excel's day 0 (its serial dates count days from it).
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
# Characters XML cannot carry, and texts Excel would read as such an escape (``_x0041_``):
# both written as Excel's ``_xHHHH_`` escapes, so the cell shows the text as recorded.
_XLSX_ESCAPED = re.compile("_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
# Cell styles of ``_XLSX_STYLES``: header, date, date and time.
_HEADER, _DATE, _DATETIME = ' s="1"', ' s="2"', ' s="3"'
_ROWS_PER_WRITE = 1000

_XLSX_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_STYLES = (
    _XML_HEAD + f"<styleSheet {_XLSX_NS}>"
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class XlsxTooManyRows(ValueError):
    """The rows do not fit in an Excel worksheet (``XLSX_MAX_ROWS`` with the header)."""


@dataclasses.dataclass
class XlsxSheet:
    """One worksheet of :func:`xlsx_bytes`: a bold header row (frozen, with filters) and
    the rows, any iterable of lists of cells (consumed once).

    Cells: a text (written as text, never a formula), a number, a ``datetime.date`` or a
    naive ``datetime.datetime`` (shown ``yyyy-mm-dd`` or ``yyyy-mm-dd hh:mm:ss``), ``True``;
    ``None``, ``False`` and ``""`` leave the cell blank.
    """

    name: str
    header: Sequence
    rows: Iterable
    widths: Sequence = ()  # column widths, in characters (default width when missing)


def xlsx_bytes(sheets):
    """Excel workbook (Office Open XML) of ``sheets`` (:class:`XlsxSheet`) -> bytes.

    :raise XlsxTooManyRows: when a sheet has more rows than Excel holds
    """
    buffer = io.BytesIO()
    names = _sheet_names([sheet.name for sheet in sheets])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _content_types(len(sheets)))
        package.writestr(
            "_rels/.rels",
            _XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        ranges = []
        for index, sheet in enumerate(sheets, start=1):
            with package.open(f"xl/worksheets/sheet{index}.xml", "w") as stream:
                ranges.append(_write_sheet(stream, sheet, first=index == 1))
        package.writestr("xl/workbook.xml", _workbook(names, ranges))
        package.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        package.writestr("xl/styles.xml", _XLSX_STYLES)
    return buffer.getvalue()


def _sheet_names(names):
    """Worksheet names Excel accepts: at most 31 characters, none of ``[]:*?/\\``, unique."""
    result = []
    for name in names:
        name = "".join(" " if char in "[]:*?/\\" else char for char in name)[:31] or "Sheet"
        base, number = name, 2
        while name.lower() in {other.lower() for other in result}:
            suffix = f" ({number})"
            name, number = base[: 31 - len(suffix)] + suffix, number + 1
        result.append(name)
    return result


def _column_name(index):
    """Excel's name of the column ``index`` (0 -> A, 26 -> AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _text(value):
    """A text as the content of an inline string element (escaped, at most
    ``XLSX_MAX_TEXT`` characters, leading and trailing spaces kept)."""
    value = _XLSX_ESCAPED.sub(_escape_match, value[:XLSX_MAX_TEXT])
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f"<is><t{space}>{escape(value)}</t></is>"


def _escape_match(match):
    text = match.group()
    return "_x005F" + text if len(text) > 1 else f"_x{ord(text):04X}_"


def _cells(row_number, cells, columns, style=""):
    """XML of one row: texts inline, numbers, dates as Excel serial numbers."""
    parts = [f'<row r="{row_number}">']
    for index, cell in enumerate(cells):
        if cell is None or cell is False or cell == "":
            continue
        while index >= len(columns):
            columns.append(_column_name(len(columns)))
        ref = f"{columns[index]}{row_number}"
        if isinstance(cell, str):
            parts.append(f'<c r="{ref}"{style} t="inlineStr">{_text(cell)}</c>')
        elif cell is True:
            parts.append(f'<c r="{ref}"{style} t="b"><v>1</v></c>')
        elif isinstance(cell, (int, float)):
            if math.isfinite(cell):
                parts.append(f'<c r="{ref}"{style}><v>{cell!r}</v></c>')
            else:
                parts.append(f'<c r="{ref}"{style} t="inlineStr">{_text(str(cell))}</c>')
        elif isinstance(cell, datetime.datetime):
            if cell.tzinfo is not None:
                raise ValueError("Spreadsheet cells take naive date-times (UTC or local).")
            serial = (cell - _EXCEL_EPOCH) / datetime.timedelta(days=1)
            parts.append(f'<c r="{ref}"{_DATETIME}><v>{serial!r}</v></c>')
        elif isinstance(cell, datetime.date):
            serial = (cell - _EXCEL_EPOCH.date()).days
            parts.append(f'<c r="{ref}"{_DATE}><v>{serial}</v></c>')
        else:
            parts.append(f'<c r="{ref}"{style} t="inlineStr">{_text(str(cell))}</c>')
    parts.append("</row>")
    return "".join(parts)


def _write_sheet(stream, sheet, first):
    """Write the worksheet XML of ``sheet`` on ``stream``; the range of its table
    (``A1:M120``) for its filters."""
    width = max(len(sheet.header), 1)
    columns = [_column_name(index) for index in range(width)]
    selected = ' tabSelected="1"' if first else ""
    head = [
        _XML_HEAD,
        f"<worksheet {_XLSX_NS} {_REL_NS}>",
        f'<sheetViews><sheetView{selected} workbookViewId="0"><pane ySplit="1" '
        'topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    if sheet.widths:
        head.append("<cols>")
        head.extend(
            f'<col min="{index}" max="{index}" width="{value + 0.7109375}" customWidth="1"/>'
            for index, value in enumerate(sheet.widths, start=1)
        )
        head.append("</cols>")
    head.append("<sheetData>")
    head.append(_cells(1, sheet.header, columns, _HEADER))
    stream.write("".join(head).encode())
    last, chunk = 1, []
    for last, cells in enumerate(sheet.rows, start=2):
        if last > XLSX_MAX_ROWS:
            raise XlsxTooManyRows(f"More than {XLSX_MAX_ROWS - 1} rows for one worksheet.")
        chunk.append(_cells(last, cells, columns))
        if len(chunk) == _ROWS_PER_WRITE:
            stream.write("".join(chunk).encode())
            chunk = []
    table = f"A1:{columns[width - 1]}{max(last, 2)}"
    stream.write(
        (
            "".join(chunk) + f'</sheetData><autoFilter ref="{table}"/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/></worksheet>'
        ).encode()
    )
    return table


def _content_types(count):
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for index in range(1, count + 1)
    )
    return (
        _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>'
    )


def _workbook(names, ranges):
    """Workbook XML: the sheets, and the range of each sheet's filters."""
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{index}" r:id="rId{index}"/>'
        for index, name in enumerate(names, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
        + escape("'" + name.replace("'", "''") + "'!" + _absolute(table))
        + "</definedName>"
        for index, (name, table) in enumerate(zip(names, ranges, strict=True))
    )
    return (
        _XML_HEAD + f"<workbook {_XLSX_NS} {_REL_NS}>"
        '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" '
        f'windowHeight="9660"/></bookViews><sheets>{sheets}</sheets>'
        f"<definedNames>{filters}</definedNames></workbook>"
    )


def _absolute(table):
    """``A1:M120`` -> ``$A$1:$M$120``."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", ref) for ref in table.split(":"))


def _workbook_rels(count):
    relation = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheets = "".join(
        f'<Relationship Id="rId{index}" Type="{relation}/worksheet" '
        f'Target="worksheets/sheet{index}.xml"/>'
        for index in range(1, count + 1)
    )
    return (
        _XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships">{sheets}<Relationship Id="rId{count + 1}" Type="{relation}/styles" '
        'Target="styles.xml"/></Relationships>'
    )
