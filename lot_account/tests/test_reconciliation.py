from odoo import Command
from odoo.tests import tagged

from .common import LotAccountCase


@tagged("post_install", "-at_install")
class TestValuationReconciliation(LotAccountCase):
    """Lot values against the stock valuation accounts."""

    def _reconcile(self):
        action = self.env["lot.valuation.reconciliation"].action_open()
        return self.env["lot.valuation.reconciliation"].browse(action["res_id"])

    def test_demo_data_reconciles_without_difference(self):
        reconciliation = self._reconcile()
        demo_account = self.env.ref(
            "lot_traceability.categ_finished"
        ).property_stock_valuation_account_id
        line = reconciliation.line_ids.filtered(lambda line: line.account_id == demo_account)
        self.assertTrue(line.lot_value > 0)
        self.assertFalse(line.difference)
        self.assertFalse(reconciliation.difference_ids)
        self.assertFalse(any(reconciliation.line_ids.mapped("difference")))

    def test_entries_outside_stock_moves_are_listed_by_product_and_lot(self):
        product = self._product("Lot Olive Oil", self._category("Lot Oils", "fifo"))
        lot = self._lot(product, "OIL-1")
        self._receive(lot, 10, 7.0)
        reconciliation = self._reconcile()
        line = reconciliation.line_ids.filtered(
            lambda line: line.account_id == self.valuation_account
        )
        self.assertAlmostEqual(line.lot_value, 70)
        self.assertAlmostEqual(line.balance, 70)
        self.assertFalse(line.difference)
        manual = self.env["account.move"].create(
            {
                "journal_id": self.stock_journal.id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.valuation_account.id,
                            "product_id": product.id,
                            "balance": 12.0,
                        }
                    ),
                    Command.create({"account_id": self.cogs_account.id, "balance": -12.0}),
                ],
            }
        )
        manual.action_post()
        reconciliation.action_compute()
        line = reconciliation.line_ids.filtered(
            lambda line: line.account_id == self.valuation_account
        )
        self.assertAlmostEqual(line.stock_value, 70)
        self.assertAlmostEqual(line.balance, 82)
        self.assertAlmostEqual(line.difference, -12)
        difference = reconciliation.difference_ids
        self.assertEqual(len(difference), 1)
        self.assertEqual(difference.product_id, product)
        self.assertFalse(difference.lot_id)
        self.assertAlmostEqual(difference.difference, -12)
