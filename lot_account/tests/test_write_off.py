from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LotAccountCase


@tagged("post_install", "-at_install")
class TestLotWriteOff(LotAccountCase):
    """Scrapping expired or recalled lots posts their cost to the write-off accounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls._product(
            "Lot Yoghurt", cls._category("Lot Dairy", "fifo"), use_expiration_date=True
        )

    def _lot_in_stock(self, name, quantity, cost, days_to_expiry=30):
        expiration = fields.Datetime.now() + timedelta(days=days_to_expiry)
        lot = self._lot(self.product, name, expiration_date=expiration)
        self._receive(lot, quantity, cost)
        return lot

    def _entry_lines(self, scrap):
        lines = scrap.move_ids.account_move_ids.line_ids
        return {(line.account_id, round(line.balance, 2)) for line in lines}

    def test_scrap_of_an_expired_lot_is_an_expired_stock_loss(self):
        lot = self._lot_in_stock("YOG-EXP", 5, 3.0)
        lot._lot_set_status("expired", "Past its expiration date")
        scrap = self._scrap(lot, 5)
        self.assertEqual(
            self._entry_lines(scrap),
            {(self.expired_account, 15.0), (self.valuation_account, -15.0)},
        )

    def test_lot_past_its_expiration_date_counts_as_expired(self):
        lot = self._lot_in_stock("YOG-OLD", 2, 4.0, days_to_expiry=-3)
        self.assertEqual(lot.lot_status, "released")
        scrap = self._scrap(lot, 2)
        self.assertEqual(
            self._entry_lines(scrap),
            {(self.expired_account, 8.0), (self.valuation_account, -8.0)},
        )

    def test_other_scraps_and_missing_accounts_keep_odoo_scrap_account(self):
        fresh = self._lot_in_stock("YOG-OK", 3, 2.0)
        scrap = self._scrap(fresh, 1)
        self.assertEqual(
            self._entry_lines(scrap),
            {(self.output_account, 2.0), (self.valuation_account, -2.0)},
        )
        self.company.lot_expired_loss_account_id = False
        fresh._lot_set_status("expired", "Spoiled")
        scrap = self._scrap(fresh, 2)
        self.assertEqual(
            self._entry_lines(scrap),
            {(self.output_account, 4.0), (self.valuation_account, -4.0)},
        )

    def test_recall_write_off_and_credit_notes_make_the_recall_cost(self):
        lot = self._lot_in_stock("YOG-RCL", 10, 3.0)
        order = self._sell(self.product, 4, price_unit=9.0)
        self._ship(order, [(lot, 4)])
        self._invoice(order)
        recall = self.env["lot.recall"].create(
            {
                "kind": "recall",
                "reason": "Listeria in the filling line",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(lot.ids)],
                "relocate_stock": False,
            }
        )
        recall.action_compute_scope()
        recall.action_block_stock()
        self.assertEqual(lot.lot_status, "recalled")
        recall.action_create_returns()
        recall.return_picking_ids.button_validate()
        self.assertEqual(recall.return_picking_ids.state, "done")
        credit_note = self._invoice(order)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertAlmostEqual(credit_note.amount_untaxed, 36.0)

        scrap = self._scrap(lot, 10, origin=recall.name)
        entry = scrap.move_ids.account_move_ids
        self.assertEqual(entry.lot_recall_id, recall)
        self.assertIn(recall.name, entry.ref)
        self.assertTrue(all(recall.name in line.name for line in entry.line_ids))
        self.assertEqual(
            self._entry_lines(scrap),
            {(self.recall_account, 30.0), (self.valuation_account, -30.0)},
        )
        recall.invalidate_recordset()
        self.assertEqual(recall.lot_write_off_move_ids, entry)
        self.assertEqual(recall.lot_write_off_count, 1)
        self.assertAlmostEqual(recall.lot_write_off_cost, 30.0)
        self.assertAlmostEqual(recall.lot_credit_note_amount, 36.0)
        self.assertAlmostEqual(recall.lot_recall_cost, 66.0)

    def test_recall_users_read_the_recall_not_its_costs(self):
        lot = self._lot_in_stock("YOG-ACL", 4, 3.0)
        recall = self.env["lot.recall"].create(
            {
                "kind": "recall",
                "reason": "Listeria in the filling line",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(lot.ids)],
                "relocate_stock": False,
            }
        )
        recall.action_compute_scope()
        recall.action_block_stock()
        self._scrap(lot, 4, origin=recall.name)
        cost_fields = [
            "lot_write_off_move_ids",
            "lot_write_off_count",
            "lot_write_off_cost",
            "lot_credit_note_amount",
            "lot_recall_cost",
        ]
        for login, group in (
            ("lot_recall_cost_user", "lot_recall.group_recall_user"),
            ("lot_recall_cost_manager", "lot_recall.group_recall_manager"),
        ):
            user = new_test_user(self.env, login=login, groups=group)
            self._assert_fields_hidden(recall.with_user(user), cost_fields, "name")
        accountant = new_test_user(
            self.env,
            login="lot_recall_cost_accountant",
            groups="lot_recall.group_recall_user,account.group_account_readonly",
        )
        recall = recall.with_user(accountant)
        self.assertEqual(recall.read(["lot_write_off_cost"])[0]["lot_write_off_cost"], 12.0)
        arch = recall.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="lot_recall_cost"', arch)

    def test_mock_recall_does_not_claim_write_offs(self):
        lot = self._lot_in_stock("YOG-MCK", 3, 3.0)
        recall = self.env["lot.recall"].create(
            {
                "kind": "mock",
                "reason": "Yearly mock recall",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(lot.ids)],
            }
        )
        recall.action_compute_scope()
        lot._lot_set_status("recalled", "Supplier recall outside the mock")
        scrap = self._scrap(lot, 3)
        entry = scrap.move_ids.account_move_ids
        self.assertFalse(entry.lot_recall_id)
        self.assertEqual(
            self._entry_lines(scrap),
            {(self.recall_account, 9.0), (self.valuation_account, -9.0)},
        )

    def test_client_context_does_not_route_a_scrap_to_a_write_off(self):
        """An Inventory user scrapping a fresh lot cannot send the write-off context keys
        to post it as a recall cost, or to claim it for a recall."""
        recalled = self._lot_in_stock("YOG-CTX-R", 2, 3.0)
        recall = self.env["lot.recall"].create(
            {
                "kind": "recall",
                "reason": "Listeria in the filling line",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(recalled.ids)],
            }
        )
        recall.action_compute_scope()
        fresh = self._lot_in_stock("YOG-CTX", 3, 2.0)
        clerk = new_test_user(
            self.env, login="lot_write_off_clerk", groups="stock.group_stock_user"
        )
        scrap = (
            self.env["stock.scrap"]
            .with_user(clerk)
            .with_context(lot_write_off_kind="recalled", lot_write_off_recall_id=recall.id)
            .create(
                {
                    "product_id": self.product.id,
                    "lot_id": fresh.id,
                    "scrap_qty": 1,
                    "location_id": self.stock.id,
                }
            )
        )
        scrap.do_scrap()
        self.assertEqual(
            self._entry_lines(scrap),
            {(self.output_account, 2.0), (self.valuation_account, -2.0)},
        )
        self.assertFalse(scrap.move_ids.account_move_ids.lot_recall_id)
        recall.invalidate_recordset()
        self.assertFalse(recall.lot_write_off_move_ids)

    def test_defaults_of_users_do_not_link_the_records_odoo_creates_for_them(self):
        """Odoo creates a scrap's journal entry, and a sales order's delivery, in superuser
        mode with the user's context: neither his default_ keys nor his personal defaults
        link them to a recall."""
        recall = self.env["lot.recall"].create(
            {
                "kind": "recall",
                "reason": "Listeria in the filling line",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(self._lot_in_stock("YOG-DEF-R", 2, 3.0).ids)],
            }
        )
        recall.action_compute_scope()
        fresh = self._lot_in_stock("YOG-DEF", 3, 2.0)
        clerk = new_test_user(
            self.env,
            login="lot_write_off_default_clerk",
            groups="stock.group_stock_user,sales_team.group_sale_salesman",
        )
        self.env["ir.default"].with_user(clerk).set(
            "account.move", "lot_recall_id", recall.id, user_id=True
        )
        as_clerk = self.env(
            user=clerk, context=dict(self.env.context, default_lot_recall_id=recall.id)
        )
        scrap = as_clerk["stock.scrap"].create(
            {
                "product_id": self.product.id,
                "lot_id": fresh.id,
                "scrap_qty": 1,
                "location_id": self.stock.id,
            }
        )
        scrap.do_scrap()
        entry = scrap.move_ids.account_move_ids
        self.assertTrue(entry)
        self.assertFalse(entry.lot_recall_id)
        order = self.demo.with_env(as_clerk)._sell(self.customer, self.product, 1)
        self.assertTrue(order.picking_ids)
        self.assertFalse(order.picking_ids.lot_recall_id)
        recall.invalidate_recordset()
        self.assertFalse(recall.lot_write_off_move_ids)
        self.assertFalse(recall.return_picking_ids)

    def test_accountant_cannot_attach_entries_to_a_recall(self):
        """Write-off entries are linked to a recall by the scrap only: neither through the
        recall nor on the entry can an accountant add, swap or delete them."""
        lot = self._lot_in_stock("YOG-LNK", 4, 3.0)
        recall = self.env["lot.recall"].create(
            {
                "kind": "recall",
                "reason": "Listeria in the filling line",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(lot.ids)],
                "relocate_stock": False,
            }
        )
        recall.action_compute_scope()
        recall.action_block_stock()
        entry = self._scrap(lot, 4, origin=recall.name).move_ids.account_move_ids
        other = self._receive(self._lot(self.product, "YOG-LNK-2"), 5, 7.0)
        other_entry = other.move_ids.account_move_ids
        self.assertTrue(other_entry)
        accountant = new_test_user(
            self.env,
            login="lot_recall_linking_accountant",
            groups="lot_recall.group_recall_manager,account.group_account_manager",
        )
        as_accountant = recall.with_user(accountant)
        for command in (
            Command.link(other_entry.id),
            Command.unlink(entry.id),
            Command.set(other_entry.ids),
            Command.delete(entry.id),
        ):
            with self.subTest(command=command[0]), self.assertRaises(AccessError):
                as_accountant.write({"lot_write_off_move_ids": [command]})
        with self.assertRaises(AccessError):
            self.env["lot.recall"].with_user(accountant).create(
                {
                    "reason": "Claims another recall's entries",
                    "scope_lot_ids": [Command.set(lot.ids)],
                    "lot_write_off_move_ids": [Command.link(entry.id)],
                }
            )
        with self.assertRaises(AccessError):
            other_entry.with_user(accountant).write({"lot_recall_id": recall.id})
        with self.assertRaises(AccessError):
            entry.with_user(accountant).write({"lot_recall_id": False})
        # Nor by a default the accountant controls: his context, or a personal default.
        self.env["ir.default"].with_user(accountant).set(
            "account.move", "lot_recall_id", recall.id, user_id=True
        )
        forged = (
            self.env["account.move"]
            .with_user(accountant)
            .with_context(default_lot_recall_id=recall.id)
            .create({"move_type": "entry"})
        )
        self.assertFalse(forged.lot_recall_id)
        recall.invalidate_recordset()
        self.assertEqual(recall.lot_write_off_move_ids, entry)
        self.assertAlmostEqual(recall.lot_write_off_cost, 12.0)
