from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo bakery is consistent in Odoo's own records: lot links and quantities."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lots = {
            lot.name: lot
            for lot in cls.env["stock.lot"].search(
                [("product_id.default_code", "=like", "%-___"), ("name", "=like", "%-___-0__")]
            )
        }
        cls.done_lines = cls.env["stock.move.line"].search(
            [("state", "=", "done"), ("lot_id", "in", [lot.id for lot in cls.lots.values()])]
        )

    def _lot(self, name):
        self.assertIn(name, self.lots, f"demo lot {name} is missing")
        return self.lots[name]

    def _consumed_by(self, lot):
        """Component lots and quantities consumed to produce ``lot``, from core's links."""
        produced = self.done_lines.filtered(
            lambda ml: ml.lot_id == lot and ml.move_id.production_id
        )
        consumed = {}
        for line in produced.consume_line_ids:
            consumed[line.lot_id.name] = consumed.get(line.lot_id.name, 0) + line.quantity
        return consumed

    def _raw_lots(self, lot):
        """Raw lots reached upstream of ``lot`` through every production level."""
        components = self._consumed_by(lot)
        if not components:
            return {lot.name}
        raw = set()
        for name in components:
            raw |= self._raw_lots(self._lot(name))
        return raw

    def test_finished_lots_trace_to_their_exact_component_lots(self):
        self.assertEqual(
            self._consumed_by(self._lot("FG-CAK-001")),
            {
                "RM-FLR-001": 60,
                "RM-FLR-002": 30,
                "RM-MLK-001": 60,
                "RM-EGG-001": 500,
                "RM-EGG-002": 400,
                "RM-SUG-001": 60,
            },
        )
        self.assertEqual(
            self._consumed_by(self._lot("FG-CAK-002")),
            {
                "RM-FLR-002": 60,
                "RM-MLK-002": 40,
                "RM-EGG-002": 400,
                "RM-EGG-001": 200,
                "RM-SUG-001": 40,
            },
        )
        self.assertEqual(
            self._consumed_by(self._lot("FG-COO-001")), {"WIP-DGH-001": 200, "RM-SUG-001": 40}
        )
        self.assertEqual(
            self._consumed_by(self._lot("WIP-DGH-001")),
            {"RM-FLR-001": 120, "RM-MLK-001": 60, "RM-EGG-001": 400},
        )
        # Two levels: cookies reach the dough's raw lots.
        self.assertEqual(
            self._raw_lots(self._lot("FG-COO-001")),
            {"RM-FLR-001", "RM-MLK-001", "RM-EGG-001", "RM-SUG-001"},
        )

    def test_every_delivered_lot_traces_back_to_supplier_receipts(self):
        delivered = self.done_lines.filtered(
            lambda ml: ml.location_dest_id.usage == "customer"
        ).lot_id
        self.assertEqual(set(delivered.mapped("name")), {"FG-CAK-001", "FG-CAK-002", "FG-COO-001"})
        suppliers = {
            "RM-FLR": "Golden Fields Mill",
            "RM-SUG": "Golden Fields Mill",
            "RM-MLK": "Green Valley Dairy",
            "RM-EGG": "Sunny Hen Farm",
        }
        for lot in delivered:
            for raw_name in self._raw_lots(lot):
                raw = self._lot(raw_name)
                receipts = self.done_lines.filtered(
                    lambda ml, raw=raw: ml.lot_id == raw and ml.location_id.usage == "supplier"
                )
                self.assertEqual(len(receipts), 1, f"{raw_name} has one supplier receipt")
                self.assertEqual(
                    receipts.picking_id.partner_id.name, suppliers[raw.product_id.default_code]
                )
                self.assertTrue(raw.supplier_lot, f"{raw_name} carries the supplier's lot number")
                # Set automatically when the receipt was validated.
                self.assertEqual(raw.supplier_id, receipts.picking_id.partner_id)
                self.assertEqual(raw.origin_country_id.code, "FR")
                self.assertEqual(raw.receipt_date, receipts.date)
            production = self.env["mrp.production"].search([("lot_producing_id", "=", lot.id)])
            self.assertEqual(lot.production_date, production.date_finished.date())
            self.assertFalse(lot.supplier_id)

    def test_quantities_add_up_for_every_lot(self):
        """In = consumed + delivered - returned + scrapped + on hand, from move lines and quants."""
        expected_on_hand = {
            "RM-FLR-001": 320,
            "RM-FLR-002": 210,
            "RM-MLK-001": 80,
            "RM-MLK-002": 110,
            "RM-EGG-001": 100,
            "RM-EGG-002": 0,
            "RM-SUG-001": 60,
            "WIP-DGH-001": 0,
            "FG-CAK-001": 30,
            "FG-CAK-002": 100,
            "FG-COO-001": 100,
        }
        Quant = self.env["stock.quant"]
        for name, on_hand in expected_on_hand.items():
            lot = self._lot(name)
            lines = self.done_lines.filtered(lambda ml, lot=lot: ml.lot_id == lot)
            internal_in = sum(
                ml.quantity
                for ml in lines
                if ml.location_dest_id.usage == "internal" and ml.location_id.usage != "internal"
            )
            internal_out = sum(
                ml.quantity
                for ml in lines
                if ml.location_id.usage == "internal" and ml.location_dest_id.usage != "internal"
            )
            quants = Quant.search([("lot_id", "=", lot.id), ("location_id.usage", "=", "internal")])
            self.assertEqual(sum(quants.mapped("quantity")), on_hand, name)
            self.assertEqual(internal_in - internal_out, on_hand, name)
            self.assertEqual(lot.product_qty, on_hand, name)

    def test_customers_partial_delivery_split_lot_and_return(self):
        outgoing = self.done_lines.filtered(lambda ml: ml.location_dest_id.usage == "customer")
        customers = outgoing.picking_id.partner_id
        self.assertGreaterEqual(len(customers), 12)
        cake_customers = outgoing.filtered(lambda ml: ml.lot_id.name == "FG-CAK-001")
        self.assertEqual(len(cake_customers.picking_id.partner_id), 6, "one lot, six customers")
        # A delivery shipped partially: 60 of 100 done, the backorder of 40 still open.
        partial = outgoing.picking_id.filtered(
            lambda p: p.partner_id.name == "SuperMart Distribution"
        )
        backorder = self.env["stock.picking"].search([("backorder_id", "=", partial.id)])
        self.assertEqual(sum(partial.move_ids.mapped("quantity")), 60)
        self.assertEqual(backorder.state, "assigned")
        self.assertEqual(sum(backorder.move_ids.mapped("product_uom_qty")), 40)
        # One customer returned 10 cakes through Odoo's return, linked to the delivery.
        returns = self.done_lines.filtered(
            lambda ml: ml.location_id.usage == "customer" and ml.move_id.origin_returned_move_id
        )
        self.assertEqual(returns.lot_id.name, "FG-CAK-001")
        self.assertEqual(sum(returns.mapped("quantity")), 10)
        self.assertEqual(returns.picking_id.partner_id.name, "The Green Grocer")
        # Core's customers-per-lot report lists the six customers of the split lot.
        report = self.env["stock.lot.report"].search([("lot_id.name", "=", "FG-CAK-001")])
        self.assertEqual(len(report.partner_id), 6)

    def test_stock_in_two_warehouses_with_expired_and_near_expiry_lots(self):
        on_hand = self.env["stock.quant"].search(
            [
                ("lot_id", "in", [lot.id for lot in self.lots.values()]),
                ("quantity", ">", 0),
                ("location_id.usage", "=", "internal"),
            ]
        )
        self.assertEqual(len(on_hand.location_id.warehouse_id), 2)
        now = fields.Datetime.now()
        expired = self._lot("RM-MLK-001")
        self.assertLess(expired.expiration_date, now)
        self.assertTrue(expired.product_expiry_alert)
        self.assertEqual(expired.product_qty, 80)
        near = self._lot("RM-MLK-002")
        self.assertGreater(near.expiration_date, now)
        self.assertLess(near.expiration_date, now + timedelta(days=7))
        self.assertGreater(near.product_qty, 0)
        # Dates are relative to the day the demo was loaded: first receipt 20 days before.
        first_receipt = min(self.done_lines.mapped("date"))
        self.assertEqual((now.date() - first_receipt.date()).days, 20)
