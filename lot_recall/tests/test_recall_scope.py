from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallScope(RecallCase):
    """Each way of scoping a recall, computed downstream with the genealogy engine."""

    def test_scope_by_lot_reaches_every_lot_customer_and_delivery(self):
        recall = self._recall()
        self.assertRegex(recall.name, r"^RCL/\d{4}/\d{4}$")
        self.assertEqual(recall.state, "draft")
        recall.action_compute_scope()
        self.assertEqual(recall.state, "scoped")
        self.assertEqual(
            self._names(recall.affected_lot_ids),
            {"RM-FLR-001", "WIP-DGH-001", "FG-CAK-001", "FG-COO-001"},
        )
        depth = {line.lot_id.name: line.depth for line in recall.lot_line_ids}
        self.assertEqual(
            depth, {"RM-FLR-001": 0, "WIP-DGH-001": 1, "FG-CAK-001": 1, "FG-COO-001": 2}
        )
        # 5 cake customers and the hospital, 6 cookie shops and SuperMart.
        self.assertEqual(len(recall.customer_ids), 13)
        self.assertEqual(len(recall.delivery_line_ids), 13)
        self.assertEqual(sum(recall.delivery_line_ids.mapped("quantity")), 580)
        hospital = self._customer(recall, self.hospital)
        # The hospital's delivery also held 20 of cake lot FG-CAK-002, which is not affected.
        self.assertEqual(hospital.delivered_quantity, 30)
        self.assertEqual(hospital.delivery_line_ids.lot_id, self.cake)
        self.assertEqual(hospital.delivery_line_ids.picking_id.partner_id, self.hospital)
        self.assertEqual(hospital.delivery_line_ids.uom_id, self.cake.product_id.uom_id)
        self.assertEqual(self._customer(recall, self.supermart).delivered_quantity, 60)
        self.assertNotIn(self.brussels, recall.customer_ids.partner_id)
        # Stock on hand in both warehouses.
        on_hand = {
            (quant.lot_id.name, quant.location_id.warehouse_id.code): quant.quantity
            for quant in recall.quant_ids
        }
        self.assertEqual(
            on_hand,
            {
                ("RM-FLR-001", "WH"): 320,
                ("FG-CAK-001", "WH"): 30,
                ("FG-COO-001", "WH"): 50,
                ("FG-COO-001", "RIV"): 50,
            },
        )
        self.assertEqual(recall.affected_lot_count, 4)
        self.assertEqual(recall.customer_count, 13)

    def test_recompute_replaces_the_previous_scope(self):
        recall = self._scoped()
        first = recall.delivery_line_ids
        recall.write({"scope_lot_ids": [Command.set(self.dough.ids)]})
        recall.action_compute_scope()
        self.assertFalse(first.exists())
        self.assertEqual(self._names(recall.affected_lot_ids), {"WIP-DGH-001", "FG-COO-001"})
        self.assertEqual(len(recall.customer_ids), 7)
        self.assertEqual(len(recall.delivery_line_ids), 7)
        recall.action_compute_scope()
        self.assertEqual(len(recall.delivery_line_ids), 7)
        self.assertEqual(
            len(self.env["lot.recall.delivery"].search([("recall_id", "=", recall.id)])), 7
        )

    def test_scope_by_supplier_lot_numbers(self):
        recall = self._recall(
            scope_type="supplier_lots",
            scope_lot_ids=[Command.clear()],
            scope_supplier_lot_names="GFM-24117\nXX-NOT-A-LOT, ",
        )
        recall.action_compute_scope()
        self.assertEqual(recall.scope_lot_ids, self.flour)
        self.assertEqual(len(recall.affected_lot_ids), 4)
        self.assertTrue(any("XX-NOT-A-LOT" in message.body for message in recall.message_ids))
        # The same number from another supplier finds nothing.
        recall.scope_supplier_id = self.env.ref("lot_traceability.supp_green_valley")
        with self.assertRaisesRegex(UserError, "GFM-24117"):
            recall.action_compute_scope()
        recall.scope_supplier_id = self.env.ref("lot_traceability.supp_golden_fields")
        recall.scope_supplier_lot_names = "GFM-24117; GFM-24153"
        recall.action_compute_scope()
        self.assertEqual(recall.scope_lot_ids, self.flour | self.flour_2)
        self.assertIn(self.cake_2, recall.affected_lot_ids)

    def test_supplier_lot_numbers_are_capped(self):
        """A pasted list of more than 1,000 supplier lot numbers is refused with a clear
        error, before any search, and the recall stays a draft."""
        recall = self._recall(
            scope_type="supplier_lots",
            scope_lot_ids=[Command.clear()],
            scope_supplier_lot_names="\n".join(f"GFM-{i}" for i in range(1001)),
        )
        with self.assertRaisesRegex(UserError, "at most 1,000 supplier lot numbers.*1,001"):
            recall.action_compute_scope()
        self.assertEqual(recall.state, "draft")
        recall.scope_supplier_lot_names = "\n".join(["GFM-24117"] * 2000)
        recall.action_compute_scope()
        self.assertEqual(recall.scope_lot_ids, self.flour)

    def test_scope_by_component_lot(self):
        recall = self._recall(
            scope_type="component_lot",
            scope_lot_ids=[Command.clear()],
            scope_component_lot_id=self.dough.id,
        )
        recall.action_compute_scope()
        self.assertEqual(recall.scope_lot_ids, self.dough)
        self.assertEqual(recall.affected_lot_ids, self.dough | self.cookies)
        self.assertEqual(sum(recall.customer_ids.mapped("delivered_quantity")), 300)

    def test_scope_by_product_and_production_dates(self):
        today = fields.Date.context_today(self.env.user)
        recall = self._recall(
            scope_type="product_dates",
            scope_lot_ids=[Command.clear()],
            scope_product_ids=[Command.set(self.cake.product_id.ids)],
            scope_date_from=today - timedelta(days=11),
            scope_date_to=today - timedelta(days=5),
        )
        recall.action_compute_scope()
        self.assertEqual(recall.scope_lot_ids, self.cake)
        self.assertEqual(recall.affected_lot_ids, self.cake)
        self.assertEqual(len(recall.customer_ids), 6)
        # Received lots have no production date: their receipt day counts.
        recall.write(
            {
                "scope_product_ids": [Command.set(self.flour.product_id.ids)],
                "scope_date_from": today - timedelta(days=21),
                "scope_date_to": today - timedelta(days=19),
            }
        )
        recall.action_compute_scope()
        self.assertEqual(recall.scope_lot_ids, self.flour)
        recall.write(
            {
                "scope_date_from": today + timedelta(days=1),
                "scope_date_to": today + timedelta(days=2),
            }
        )
        with self.assertRaisesRegex(UserError, "No lot of these products"):
            recall.action_compute_scope()

    def test_scope_errors_leave_the_recall_as_it_was(self):
        recall = self._recall(scope_lot_ids=[Command.clear()])
        with self.assertRaisesRegex(UserError, "Choose the lots"):
            recall.action_compute_scope()
        self.assertEqual(recall.state, "draft")
        with self.assertRaisesRegex(Exception, "ends before it starts"):
            recall.write(
                {
                    "scope_type": "product_dates",
                    "scope_date_from": "2026-03-10",
                    "scope_date_to": "2026-03-01",
                }
            )
        recall = self._scoped()
        recall.action_start()
        with self.assertRaisesRegex(UserError, "In Progress"):
            recall.action_compute_scope()
        with self.assertRaisesRegex(UserError, "scope of a recall cannot change"):
            recall.scope_lot_ids = [Command.set(self.cake.ids)]

    def test_reservations_sale_orders_and_productions_of_affected_lots(self):
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.brussels.id,
                "order_line": [
                    Command.create({"product_id": self.cookies.product_id.id, "product_uom_qty": 5})
                ],
            }
        )
        sale.action_confirm()
        delivery = sale.picking_ids
        delivery.move_ids._do_unreserve()
        self.env["stock.move.line"].create(
            dict(delivery.move_ids._prepare_move_line_vals(quantity=5), lot_id=self.cookies.id)
        )
        production = self.env["mrp.production"].create(
            {
                "product_id": self.cake.product_id.id,
                "bom_id": self.env.ref("lot_traceability.bom_cake").id,
                "product_qty": 10,
            }
        )
        production.action_confirm()
        flour_move = production.move_raw_ids.filtered(
            lambda move: move.product_id == self.flour.product_id
        )
        flour_move._do_unreserve()
        self.env["stock.move.line"].create(
            dict(flour_move._prepare_move_line_vals(quantity=2), lot_id=self.flour.id)
        )
        recall = self._scoped()
        self.assertIn(sale.order_line, recall.open_sale_line_ids)
        self.assertEqual(
            recall.reserved_move_line_ids.filtered(lambda line: line.picking_id == delivery).lot_id,
            self.cookies,
        )
        self.assertEqual(recall.production_ids, production)

    def test_start_recall_from_lots(self):
        # The demo mock recall may count already.
        before = self.cake.with_user(self.reader).lot_recall_count
        wizard = Form(
            self.env["lot.recall.start"]
            .with_user(self.manager)
            .with_context(active_model="stock.lot", active_ids=(self.cake | self.cookies).ids)
        )
        wizard.reason = "Metal fragments"
        wizard.kind = "withdrawal"
        action = wizard.save().action_create_recall()
        recall = self.env["lot.recall"].browse(action["res_id"])
        self.assertEqual(recall.scope_lot_ids, self.cake | self.cookies)
        self.assertEqual(
            (recall.kind, recall.state, recall.user_id), ("withdrawal", "draft", self.manager)
        )
        action = self.cake.with_user(self.manager).action_start_recall()
        self.assertEqual(action["context"]["default_lot_ids"], self.cake.ids)
        self.cake.invalidate_recordset()
        self.assertEqual(self.cake.with_user(self.reader).lot_recall_count, before + 1)
        recall.action_compute_scope()
        domain = self.cookies.action_view_lot_recalls()["domain"]
        self.assertIn(recall, self.env["lot.recall"].search(domain))
        self.assertNotIn(
            recall, self.env["lot.recall"].search(self.flour.action_view_lot_recalls()["domain"])
        )
