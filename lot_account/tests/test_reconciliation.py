from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

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

    def test_a_reconciliation_is_read_and_changed_by_its_user_only(self):
        """Another accountant of the company neither reads nor alters the lines and
        differences of a reconciliation, nor adds his own to it."""
        first, second = (
            new_test_user(self.env, login=login, groups="account.group_account_readonly")
            for login in ("lot_reconciling_first", "lot_reconciling_second")
        )
        product = self._product("Lot Rapeseed Oil", self._category("Lot Seeds", "fifo"))
        self._receive(self._lot(product, "RAPE-1"), 4, 5.0)
        # an entry outside stock moves, for a difference
        self.env["account.move"].create(
            {
                "journal_id": self.stock_journal.id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.valuation_account.id,
                            "product_id": product.id,
                            "balance": 3.0,
                        }
                    ),
                    Command.create({"account_id": self.cogs_account.id, "balance": -3.0}),
                ],
            }
        ).action_post()
        Reconciliation = self.env["lot.valuation.reconciliation"]
        action = Reconciliation.with_user(first).action_open()
        reconciliation = Reconciliation.browse(action["res_id"])
        self.assertTrue(reconciliation.line_ids)
        self.assertTrue(reconciliation.difference_ids)
        for model, records in (
            ("lot.valuation.reconciliation.line", reconciliation.line_ids),
            ("lot.valuation.reconciliation.difference", reconciliation.difference_ids),
        ):
            as_second = self.env[model].with_user(second)
            self.assertFalse(as_second.search([("reconciliation_id", "=", reconciliation.id)]))
            with self.assertRaises(AccessError):
                records.with_user(second).unlink()
            with self.assertRaises(AccessError):
                as_second.create(
                    {
                        "reconciliation_id": reconciliation.id,
                        "company_id": self.env.company.id,
                        "balance": 1000000.0,
                    }
                )
        self.assertEqual(
            Reconciliation.with_user(first).browse(reconciliation.id).line_ids,
            reconciliation.line_ids,
        )
