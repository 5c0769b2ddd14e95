import csv
import datetime
import io

import openpyxl
import xlsxwriter
from odoo.tests import BaseCase, tagged

from ..tools.spreadsheet import FORMULA_PREFIXES, csv_bytes, csv_safe, xlsx_write_row


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
