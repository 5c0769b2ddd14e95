import io
import zipfile

import openpyxl
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import LotAccountCase


class CogsScenarios:
    """COGS by lot for one costing method (set by the subclasses): lot A costs 10, lot B
    14, both valued by lot; the cake sells at 30."""

    cost_method = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        category = cls._category(f"Lot COGS {cls.cost_method}", cls.cost_method)
        cls.product = cls._product(f"Lot Cake {cls.cost_method}", category)

    def setUp(self):
        super().setUp()
        self.lot_a = self._lot(self.product, "COGS-A")
        self.lot_b = self._lot(self.product, "COGS-B")
        self._receive(self.lot_a, 10, 10.0)
        self._receive(self.lot_b, 10, 14.0)

    def test_partial_deliveries_across_lots_cost_exactly_the_lots_shipped(self):
        order = self._sell(self.product, 15)
        self._ship(order, [(self.lot_a, 6), (self.lot_b, 4)])
        first = self._invoice(order)
        self._ship(order, [(self.lot_b, 5)])
        second = self._invoice(order)
        self.assertEqual(
            self._rows(first | second),
            {
                (first.name, "COGS-A"): (6, 10, 60, 180),
                (first.name, "COGS-B"): (4, 14, 56, 120),
                (second.name, "COGS-B"): (5, 14, 70, 150),
            },
        )
        # Odoo's own COGS journal items agree, invoice by invoice.
        self.assertAlmostEqual(self._balance(self.cogs_account, first), 116)
        self.assertAlmostEqual(self._balance(self.cogs_account, second), 70)
        self.assertAlmostEqual(self._balance(self.cogs_account), 186)
        rows = self.env["lot.cogs.report"].search([("move_id", "in", (first | second).ids)])
        self.assertTrue(all(rows.mapped("in_ledger")))
        self.assertAlmostEqual(sum(rows.mapped("margin")), 450 - 186)
        # What is left in stock is valued at the cost of the lots left.
        self.assertAlmostEqual(self.lot_a.total_value, 40)
        self.assertAlmostEqual(self.lot_b.total_value, 14)

    def test_partial_invoices_share_the_delivered_lots_like_odoo_cogs(self):
        order = self._sell(self.product, 15)
        self._ship(order, [(self.lot_a, 6), (self.lot_b, 4)])
        first = self._invoice(order, quantity=5)
        second = self._invoice(order)
        self._ship(order, [(self.lot_a, 4), (self.lot_b, 1)])
        third = self._invoice(order)
        self.assertEqual(
            self._rows(first | second | third),
            {
                (first.name, "COGS-A"): (3, 10, 30, 90),
                (first.name, "COGS-B"): (2, 14, 28, 60),
                (second.name, "COGS-A"): (3, 10, 30, 90),
                (second.name, "COGS-B"): (2, 14, 28, 60),
                (third.name, "COGS-A"): (4, 10, 40, 120),
                (third.name, "COGS-B"): (1, 14, 14, 30),
            },
        )
        for invoice, cogs in ((first, 58), (second, 58), (third, 54)):
            self.assertAlmostEqual(self._balance(self.cogs_account, invoice), cogs)

    def test_return_and_credit_note_reverse_the_returned_lot(self):
        order = self._sell(self.product, 10)
        delivery = self._ship(order, [(self.lot_a, 6), (self.lot_b, 4)])
        invoice = self._invoice(order)
        self._return(delivery, [(self.lot_b, 2)])
        credit_note = self._invoice(order)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(
            self._rows(invoice | credit_note),
            {
                (invoice.name, "COGS-A"): (6, 10, 60, 180),
                (invoice.name, "COGS-B"): (4, 14, 56, 120),
                (credit_note.name, "COGS-B"): (-2, 14, -28, -60),
            },
        )
        self.assertAlmostEqual(self._balance(self.cogs_account), 88)
        self.assertAlmostEqual(self.lot_b.quantity_svl, 8)
        self.assertAlmostEqual(self.lot_b.value_svl, 112)

    def test_report_total_for_a_period_equals_the_cogs_account_balance(self):
        order = self._sell(self.product, 12)
        delivery = self._ship(order, [(self.lot_a, 7), (self.lot_b, 5)])
        self._invoice(order, quantity=9)
        self._invoice(order)
        self._return(delivery, [(self.lot_a, 3)])
        credit_note = self._invoice(order)
        # the accounting date of the entries: today for the user (not in UTC)
        today = self.env["lot.cogs.report"].search(
            [("date", "=", credit_note[:1].date), ("product_id", "=", self.product.id)]
        )
        total = sum(today.mapped("cogs"))
        self.assertAlmostEqual(total, 4 * 10 + 5 * 14)
        self.assertAlmostEqual(total, self._balance(self.cogs_account), places=2)
        groups = self.env["lot.cogs.report"].read_group(
            [("product_id", "=", self.product.id)],
            ["cogs:sum", "revenue:sum", "margin_percent"],
            ["lot_id"],
        )
        by_lot = {group["lot_id"][1]: group for group in groups}
        # 4 units of A at 30 for 40 of cost: margin 80 over revenue 120.
        self.assertAlmostEqual(by_lot["COGS-A"]["margin_percent"], 100 * 80 / 120)
        self.assertAlmostEqual(by_lot["COGS-B"]["margin_percent"], 100 * 80 / 150)

    def test_invoice_reset_to_draft_leaves_the_report_and_is_matched_again(self):
        order = self._sell(self.product, 10)
        self._ship(order, [(self.lot_a, 6), (self.lot_b, 4)])
        invoice = self._invoice(order)
        invoice.button_draft()
        self.assertFalse(self.env["lot.cogs.report"].search([("move_id", "=", invoice.id)]))
        self.assertFalse(invoice.invoice_line_ids.lot_cogs_allocation_ids)
        invoice.action_post()
        self.assertEqual(
            self._rows(invoice),
            {
                (invoice.name, "COGS-A"): (6, 10, 60, 180),
                (invoice.name, "COGS-B"): (4, 14, 56, 120),
            },
        )


@tagged("post_install", "-at_install")
class TestCogsByLotFifo(CogsScenarios, LotAccountCase):
    cost_method = "fifo"


@tagged("post_install", "-at_install")
class TestCogsByLotAvco(CogsScenarios, LotAccountCase):
    cost_method = "average"


@tagged("post_install", "-at_install")
class TestCogsReportExportAndAccess(LotAccountCase):
    """The report's XLSX export and who may read it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls._product("Lot Export Cake", cls._category("Lot Export", "fifo"))
        lot = cls.env["stock.lot"].create({"name": "EXPORT-1", "product_id": product.id})
        cls.product = product
        cls.lot = lot

    def _sold(self):
        self._receive(self.lot, 5, 8.0)
        order = self._sell(self.product, 5)
        self._ship(order, [(self.lot, 5)])
        return self._invoice(order)

    def test_xlsx_export_of_the_current_search(self):
        invoice = self._sold()
        report = self.env["lot.cogs.report"].with_context(
            active_domain=[("move_id", "=", invoice.id)]
        )
        action = report.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3][:-14]))
        with zipfile.ZipFile(io.BytesIO(attachment.raw)) as workbook:
            sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
            strings = workbook.read("xl/sharedStrings.xml").decode()
        self.assertIn("EXPORT-1", strings)
        self.assertIn(invoice.name, strings)
        self.assertIn("<v>40</v>", sheet)  # COGS: 5 units at 8
        self.assertIn("<v>150</v>", sheet)  # revenue: 5 units at 30

    def test_xlsx_export_writes_formula_like_names_as_text(self):
        formula = '=HYPERLINK("http://x.example","a")'
        self.customer.name = formula
        self.lot.name = "-EXPORT-1"
        invoice = self._sold()
        accountant = new_test_user(
            self.env, login="lot_cogs_formula", groups="account.group_account_readonly"
        )
        action = (
            self.env["lot.cogs.report"]
            .with_user(accountant)
            .with_context(active_domain=[("move_id", "=", invoice.id)])
            .action_export_xlsx()
        )
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3][:-14]))
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw)).worksheets[0]
        customer, lot = sheet["D2"], sheet["F2"]
        self.assertEqual((customer.value, customer.data_type), (formula, "s"))
        self.assertEqual((lot.value, lot.data_type), ("-EXPORT-1", "s"))
        self.assertEqual(sheet["A2"].value.date(), invoice.date)
        self.assertEqual(sheet["A2"].number_format, "yyyy-mm-dd")
        self.assertEqual(sheet["J2"].value, 40)  # COGS: 5 units at 8
        self.assertEqual(sheet["J3"].value, "=SUM(J2:J2)")  # the total stays a formula

    def test_accountant_reads_the_report_a_stock_user_cannot(self):
        invoice = self._sold()
        accountant = new_test_user(
            self.env, login="lot_cogs_accountant", groups="account.group_account_readonly"
        )
        stock_user = new_test_user(
            self.env, login="lot_cogs_stock_user", groups="stock.group_stock_user"
        )
        report = self.env["lot.cogs.report"].with_user(accountant)
        result = report.web_search_read(
            [("move_id", "=", invoice.id)],
            {"lot_id": {"fields": {"display_name": {}}}, "cogs": {}},
        )
        self.assertEqual(result["length"], 1)
        self.assertEqual(result["records"][0]["lot_id"]["display_name"], "EXPORT-1")
        self.assertAlmostEqual(result["records"][0]["cogs"], 40)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["lot.cogs.report"].with_user(stock_user).search([])
