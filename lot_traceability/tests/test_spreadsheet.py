import csv
import datetime
import io
import zipfile

import openpyxl
import xlsxwriter
from odoo.tests import BaseCase, tagged

from ..tools.spreadsheet import (
    FORMULA_PREFIXES,
    XLSX_MAX_ROWS,
    XLSX_MAX_TEXT,
    XlsxSheet,
    XlsxTooManyRows,
    csv_bytes,
    csv_safe,
    xlsx_bytes,
    xlsx_write_row,
)


@tagged("post_install", "-at_install")
class TestSpreadsheet(BaseCase):
    """Cells that spreadsheet programs would run as formulas stay text."""

    def test_csv_safe(self):
        for prefix in FORMULA_PREFIXES:
            with self.subTest(prefix=prefix):
                self.assertEqual(csv_safe(prefix + "SUM(A1)"), "'" + prefix + "SUM(A1)")
        for value in ("Golden Fields Mill", "LOT-=1", "", 12, -3.5, None, False):
            with self.subTest(value=value):
                self.assertEqual(csv_safe(value), value)

    def test_csv_bytes(self):
        content = csv_bytes(["Partner", "Qty"], [['=HYPERLINK("http://x.example","a")', -2]])
        self.assertTrue(content.startswith("\ufeff".encode()))
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(rows, [["Partner", "Qty"], ['\'=HYPERLINK("http://x.example","a")', "-2"]])

    def test_xlsx_write_row(self):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet()
        day = datetime.datetime(2025, 3, 1, 10, 0)
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        xlsx_write_row(sheet, 0, ["=1+1", "@SUM(A1)", "-5", 7, -2.5, None, "", True])
        xlsx_write_row(sheet, 1, [day], date_format)
        workbook.close()
        rows = list(openpyxl.load_workbook(buffer).active.iter_rows())
        first = rows[0]
        self.assertEqual(
            [(cell.value, cell.data_type) for cell in first[:5]],
            [("=1+1", "s"), ("@SUM(A1)", "s"), ("-5", "s"), (7, "n"), (-2.5, "n")],
        )
        self.assertEqual([cell.value for cell in first[5:]], [None, None, True])
        self.assertEqual(rows[1][0].value, day)

    def test_xlsx_bytes_writes_texts_numbers_and_dates_as_such(self):
        day = datetime.date(2026, 11, 30)
        moment = datetime.datetime(2026, 11, 30, 13, 5, 7)
        rows = [
            ["=1+1", "@SUM(A1)", "-5", 7, -2.5, None, "", True, False, day, moment],
            ["a & <b>", " spaced ", "x" * (XLSX_MAX_TEXT + 10), float("nan"), 0],
        ]
        content = xlsx_bytes(
            [
                XlsxSheet("FSMA 204", [f"C{index}" for index in range(11)], iter(rows), [18]),
                XlsxSheet("Notes: [1/2]", ["Note"], [["first"]]),
            ]
        )
        book = openpyxl.load_workbook(io.BytesIO(content))
        sheet, notes = book.worksheets
        self.assertEqual((sheet.title, notes.title), ("FSMA 204", "Notes   1 2 "))
        first, second = [list(row) for row in sheet.iter_rows(min_row=2)]
        self.assertEqual(
            [(cell.value, cell.data_type) for cell in first[:5]],
            [("=1+1", "s"), ("@SUM(A1)", "s"), ("-5", "s"), (7, "n"), (-2.5, "n")],
        )
        self.assertEqual([cell.value for cell in first[5:9]], [None, None, True, None])
        self.assertEqual(first[9].value, datetime.datetime.combine(day, datetime.time()))
        self.assertEqual(first[9].number_format, "yyyy-mm-dd")
        self.assertEqual(first[10].value, moment)
        self.assertEqual(
            [cell.value for cell in second[:5]],
            ["a & <b>", " spaced ", "x" * XLSX_MAX_TEXT, "nan", 0],
        )
        self.assertTrue(sheet["A1"].font.b)
        self.assertEqual((sheet.freeze_panes, sheet.auto_filter.ref), ("A2", "A1:K3"))
        self.assertEqual((notes.freeze_panes, notes.auto_filter.ref), ("A2", "A1:A2"))
        self.assertEqual(sheet.column_dimensions["A"].width, 18.7109375)
        self.assertEqual(
            [[cell.value for cell in row] for row in notes.iter_rows()], [["Note"], ["first"]]
        )
        # Text is never a formula: no cell of the package is one.
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
        self.assertNotIn("<f>", sheet_xml)

    def test_xlsx_bytes_escapes_what_excel_would_read_as_an_escape(self):
        content = xlsx_bytes([XlsxSheet("S", ["T"], [["a_x0041_b\x01c\x1f"]])])
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
        # Excel shows _xHHHH_ as the character HHHH: the recorded text is kept as it was.
        self.assertIn("a_x005F_x0041_b_x0001_c_x001F_", sheet_xml)

    def test_xlsx_bytes_refuses_more_rows_than_a_sheet_holds(self):
        rows = ([index] for index in range(XLSX_MAX_ROWS))
        with self.assertRaises(XlsxTooManyRows):
            xlsx_bytes([XlsxSheet("S", ["N"], rows)])

    def test_xlsx_bytes_same_cells_as_xlsxwriter(self):
        header = ["Lot", "Qty", "Day"]
        rows = [["L1", 2.5, datetime.date(2026, 1, 2)], ["L2", -1, None]]
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet("S")
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        xlsx_write_row(sheet, 0, header)
        for index, row in enumerate(rows, start=1):
            xlsx_write_row(sheet, index, row[:2])
            if row[2]:
                sheet.write_datetime(index, 2, row[2], date_format)
        workbook.close()

        def values(content):
            book = openpyxl.load_workbook(io.BytesIO(content))
            return [[cell.value for cell in row] for row in book.active.iter_rows()]

        self.assertEqual(
            values(xlsx_bytes([XlsxSheet("S", header, rows)])), values(buffer.getvalue())
        )
