from odoo.addons.lot_traceability.tools.move_kinds import MOVEMENT_KINDS
from odoo.tests import tagged

from ..models.lot_recall_lot import lot_effectiveness
from .common import RecallCase


def balance_row(**quantities):
    """One lot of ``lot.genealogy.mass_balance`` with the given quantities, 0 elsewhere."""
    row = dict.fromkeys([kind for kind, _label in MOVEMENT_KINDS], 0.0)
    row["on_hand"] = 0.0
    row.update(quantities)
    return row


@tagged("post_install", "-at_install")
class TestRecallEffectiveness(RecallCase):
    """Recovered % = (returned + destroyed + never shipped and blocked) / produced or
    received, with exact numbers."""

    def test_lot_arithmetic(self):
        # 100 made, 50 shipped, 10 returned then scrapped, 50 never shipped in stock.
        row = balance_row(production=100, delivery=50, customer_return=10, scrap=10, on_hand=50)
        figures = lot_effectiveness(row, blocked=True)
        self.assertEqual(
            figures,
            {
                "base": 100,
                "delivered": 50,
                "returned": 10,
                "destroyed": 10,
                "never_shipped_blocked": 40,
                "at_customers": 40,
                "recovered": 60,
            },
        )
        # Not blocked: the stock never shipped does not count.
        self.assertEqual(lot_effectiveness(row, blocked=False)["recovered"], 20)
        # An intermediate lot consumed whole into other lots has nothing of its own.
        dough = balance_row(production=200, consumption=200)
        self.assertEqual(lot_effectiveness(dough, blocked=True)["base"], 0)
        self.assertEqual(lot_effectiveness(dough, blocked=True)["recovered"], 0)
        # Raw material: received 500, 180 consumed into affected lots, 300 on hand, 20 sent
        # back to the supplier.
        flour = balance_row(receipt=500, consumption=180, on_hand=300, supplier_return=20)
        figures = lot_effectiveness(flour, blocked=True)
        self.assertEqual((figures["base"], figures["recovered"]), (320, 320))
        # Never more than what is not at customers: returned units lost afterwards.
        lost = balance_row(production=100, delivery=100, customer_return=30, adjustment_out=30)
        figures = lot_effectiveness(lost, blocked=True)
        self.assertEqual((figures["at_customers"], figures["recovered"]), (70, 30))

    def _by_product(self, recall):
        """{product code: (unit, base, recovered, recovered %)} of the recall, now."""
        recall.invalidate_recordset()
        return {
            group["product"].default_code: (
                group["uom"].name,
                group["base"],
                group["recovered"],
                round(group["recovered_percent"], 2),
            )
            for group in recall._effectiveness()["products"]
        }

    def test_recall_effectiveness_on_the_bakery(self):
        recall = self._scoped()
        # Base: flour 500 - 180 consumed, dough 200 - 200, cakes 300, cookies 400; kg and
        # units are never added up.
        self.assertEqual(
            self._by_product(recall),
            {
                "RM-FLR": ("kg", 320, 0, 0),
                "WIP-DGH": ("kg", 0, 0, 0),
                # Before blocking only the Green Grocer's 10 returned cakes count.
                "FG-CAK": ("Units", 300, 10, 3.33),
                "FG-COO": ("Units", 400, 0, 0),
            },
        )
        self.assertEqual(recall.recovered_percent, 0)
        self.assertEqual(recall.accounted_percent, 100)

        recall.action_block_stock()
        # Blocked: flour 320, cakes 30 on hand - 10 returned, cookies 100.
        self.assertEqual(
            self._by_product(recall),
            {
                "RM-FLR": ("kg", 320, 320, 100),
                "WIP-DGH": ("kg", 0, 0, 0),
                "FG-CAK": ("Units", 300, 30, 10),
                "FG-COO": ("Units", 400, 100, 25),
            },
        )
        # The recall is as effective as for its least recovered product.
        self.assertEqual(recall.recovered_percent, 10)
        lines = {line.lot_id.name: line for line in recall.lot_line_ids}
        cake = lines["FG-CAK-001"]
        self.assertEqual(
            (cake.qty_in, cake.qty_delivered, cake.qty_returned, cake.qty_on_hand),
            (300, 280, 10, 30),
        )
        self.assertEqual((cake.qty_base, cake.qty_recovered), (300, 30))
        self.assertAlmostEqual(cake.recovered_percent, 10.0)
        self.assertEqual(
            (lines["WIP-DGH-001"].qty_consumed, lines["WIP-DGH-001"].qty_base), (200, 0)
        )

        # The hotel destroyed its 50 cakes; Corner Bakery sends its 50 back.
        hotel = self._customer(recall, self.hotel)
        hotel.destroyed_quantity = 50
        corner = self._customer(recall, self.corner)
        recall.action_create_returns()
        corner.return_picking_ids.button_validate()
        corner.invalidate_recordset()
        self.assertEqual(corner.returned_quantity, 50)
        # Cakes: 60 returned, 50 destroyed by the hotel, 20 never shipped and blocked (the
        # returned cakes are back in blocked stock: counted once, as returned).
        figures = recall._effectiveness()
        cakes = next(g for g in figures["products"] if g["product"] == self.cake.product_id)
        self.assertEqual(
            (cakes["returned"], cakes["destroyed"], cakes["never_shipped_blocked"]), (60, 50, 20)
        )
        self.assertEqual(self._by_product(recall)["FG-CAK"], ("Units", 300, 130, 43.33))
        self.assertEqual(recall.recovered_percent, 25)
        self.assertEqual(recall.accounted_percent, 100)
        # A customer cannot destroy more than it still holds.
        hotel.destroyed_quantity = 80
        self.assertEqual(self._by_product(recall)["FG-CAK"], ("Units", 300, 130, 43.33))
        self.assertEqual(hotel.recovered_percent, 100)

        recall.action_review_effectiveness()
        self.assertEqual(recall.reviewed_recovered_percent, 25)
        self.assertIn("25.00 % recovered", str(recall.message_ids[0].body))

    def test_products_in_different_units_are_never_added_up(self):
        recall = self._scoped()
        recall.action_block_stock()
        recall.invalidate_recordset()
        # Kg of flour and dough, units of cakes and cookies: no total, no common unit.
        self.assertFalse(recall.effectiveness_uom_id)
        self.assertEqual(
            (recall.quantity_base, recall.quantity_recovered, recall.quantity_at_customers),
            (0, 0, 0),
        )
        self.assertEqual(recall.recovered_percent, 10)
        recall.action_review_effectiveness()
        note = str(recall.message_ids[0].body)
        self.assertIn("Effectiveness reviewed: 10.00 % recovered", note)
        self.assertIn("[RM-FLR] Wheat Flour T55: 320.0 of 320.0 kg (100.00 %)", note)
        self.assertIn("[FG-CAK] Chocolate Cake: 30.0 of 300.0 Units (10.00 %)", note)
        self.assertNotIn("1020", note)
        self.assertNotIn("450", note)

        # Cakes and cookies only: one unit, its totals.
        units = self._scoped(self.cake | self.cookies)
        units.action_block_stock()
        units.invalidate_recordset()
        self.assertEqual(units.effectiveness_uom_id, self.env.ref("uom.product_uom_unit"))
        self.assertEqual((units.quantity_base, units.quantity_recovered), (700, 130))
        self.assertEqual(units.recovered_percent, 10)
