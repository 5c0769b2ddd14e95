from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.stock_move import AUTO_RESERVE
from .common import LotStatusCase

NOT_USABLE = ("quarantine", "blocked", "recalled", "expired")


@tagged("post_install", "-at_install")
class TestStatusEnforcement(LotStatusCase):
    """Lots that are not usable cannot be picked, consumed or shipped; taking them out
    of use removes their reservations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cake = cls.env["product.product"].create(
            {"name": "ST Cake", "is_storable": True, "tracking": "lot"}
        )
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.cake.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": cls.product.id, "product_qty": 1})],
            }
        )

    def _production(self, qty=3):
        production = self.env["mrp.production"].create(
            {"product_id": self.cake.id, "bom_id": self.bom.id, "product_qty": qty}
        )
        production.action_confirm()
        production.action_generate_serial()
        return production

    def _set_lines(self, moves, lot, qty, picked=True):
        """Replace the lines of ``moves`` by one line of ``lot``, as a user would."""
        moves._do_unreserve()
        return self.env["stock.move.line"].create(self._line_vals(moves, lot, qty, picked=picked))

    def _pick_for_customer(self, name):
        """The pick step of a two-step delivery of 5 units to the customer."""
        group = self.env["procurement.group"].create({"name": name, "partner_id": self.customer.id})
        Procurement = self.env["procurement.group"].Procurement
        self.env["procurement.group"].run(
            [
                Procurement(
                    self.product,
                    5,
                    self.product.uom_id,
                    self.customers,
                    name,
                    name,
                    self.company,
                    {"warehouse_id": self.warehouse, "group_id": group},
                )
            ]
        )
        return self.env["stock.picking"].search(
            [("group_id", "=", group.id), ("picking_type_id", "=", self.warehouse.pick_type_id.id)]
        )

    # ------------------------------------------------------------------ ship

    def test_shipping_a_lot_that_is_not_usable_is_refused(self):
        for status in NOT_USABLE:
            with self.subTest(status=status):
                lot = self._lot(f"ST-SHIP-{status}")
                self.Quant._update_available_quantity(self.product, self.stock, 5, lot_id=lot)
                self._set_status(lot, status)
                delivery = self._delivery()
                with self.assertRaises(UserError) as error:
                    self._set_lines(delivery.move_ids, lot, 5)
                message = str(error.exception)
                self.assertIn(f"Lot ST-SHIP-{status} of ST Honey is", message)
                self.assertIn(lot._lot_status_label(), message)
                self.assertIn(f"shipped in {delivery.name}", message)
                self.assertFalse(
                    delivery.move_line_ids.filtered(lambda ml, lot=lot: ml.lot_id == lot)
                )

    def test_choosing_the_lot_of_a_reserved_line_is_refused(self):
        delivery = self._delivery()
        self._set_status(self.lot_b, "blocked")
        line = self._set_lines(delivery.move_ids, self.lot_a, 5, picked=False)
        with self.assertRefused(UserError, "Lot ST-B of ST Honey is Blocked"):
            line.lot_id = self.lot_b
        quant_b = self.Quant.search([("lot_id", "=", self.lot_b.id)])
        with self.assertRefused(UserError, "Lot ST-B of ST Honey is Blocked"):
            line.quant_id = quant_b
        self.assertEqual(line.lot_id, self.lot_a)

    def test_lot_blocked_after_picking_is_refused_at_validation(self):
        delivery = self._delivery()
        self._set_lines(delivery.move_ids, self.lot_a, 5)
        self._set_status(self.lot_a, "blocked")
        # the picked line is kept (someone holds the goods) but cannot be shipped
        self.assertEqual(delivery.move_line_ids.lot_id, self.lot_a)
        with self.assertRefused(UserError, f"ST-A .*Blocked.*shipped in {delivery.name}"):
            delivery.button_validate()
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(self.lot_a.product_qty, 10)
        # back in use: the delivery goes through
        self._set_status(self.lot_a, "released")
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")

    def test_restricted_lot_ships_only_to_its_partners(self):
        self._set_status(self.lot_a, "restricted", partners=self.customer)
        refused = self._delivery(partner=self.other_customer)
        with self.assertRefused(UserError, "ST-A of ST Honey is Restricted to ST Grocer"):
            self._set_lines(refused.move_ids, self.lot_a, 5)
        # a contact of the customer is the customer
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        allowed = self._delivery(partner=contact)
        self._set_lines(allowed.move_ids, self.lot_a, 5)
        allowed.button_validate()
        self.assertEqual(allowed.state, "done")

    def test_restricting_a_lot_unreserves_deliveries_to_other_partners(self):
        to_customer = self._delivery(partner=self.customer)
        to_other = self._delivery(partner=self.other_customer)
        self._set_lines(to_customer.move_ids, self.lot_a, 5, picked=False)
        self._set_lines(to_other.move_ids, self.lot_a, 5, picked=False)
        self._set_status(self.lot_a, "restricted", partners=self.customer)
        self.assertEqual(to_customer.move_line_ids.lot_id, self.lot_a)
        self.assertNotIn(self.lot_a, to_other.move_line_ids.lot_id)

    # ------------------------------------------------------------------ pick

    def test_picking_a_lot_for_delivery_is_refused_in_a_pick_step(self):
        self.warehouse.delivery_steps = "pick_ship"
        pick = self._pick_for_customer("ST order")
        self.assertEqual(len(pick), 1)
        self._set_status(self.lot_a, "quarantine")
        with self.assertRefused(
            UserError, f"ST-A .*Quarantine.*picked for delivery in {pick.name}"
        ):
            self._set_lines(pick.move_ids, self.lot_a, 5)
        # restricted to the warehouse's deliveries: it may be picked for them
        self._set_status(self.lot_a, "restricted", picking_types=self.warehouse.out_type_id)
        self._set_lines(pick.move_ids, self.lot_a, 5)
        pick.button_validate()
        self.assertEqual(pick.state, "done")

    def test_pick_step_same_rule_by_hand_and_by_reservation(self):
        """One walker of move chains: a lot restricted to the warehouse's deliveries is
        allowed in a pick step by automatic reservation as by a line chosen by hand."""
        self.warehouse.delivery_steps = "pick_ship"
        self._set_status(self.lot_b, "blocked")
        self._set_status(self.lot_a, "restricted", picking_types=self.warehouse.out_type_id)
        reserved = self._pick_for_customer("ST order 1")
        reserved.action_assign()
        self.assertEqual(
            [(line.lot_id, line.quantity) for line in reserved.move_line_ids], [(self.lot_a, 5)]
        )
        by_hand = self._pick_for_customer("ST order 2")
        self._set_lines(by_hand.move_ids, self.lot_a, 5)
        by_hand.button_validate()
        self.assertEqual(by_hand.state, "done")

    def test_cancelled_downstream_move_is_not_followed(self):
        """A lot restricted to the operation type of a cancelled next move is refused by
        hand as by automatic reservation; while that move is in use, both allow it."""
        self._set_status(self.lot_b, "blocked")
        self._set_status(self.lot_a, "restricted", picking_types=self.warehouse.int_type_id)
        delivery = self._delivery()
        cancelled = self._picking(self.warehouse.int_type_id)
        cancelled.action_cancel()
        delivery.move_ids.move_dest_ids = cancelled.move_ids
        delivery.action_assign()
        self.assertFalse(delivery.move_line_ids)
        with self.assertRefused(UserError, "ST-A of ST Honey is Restricted to"):
            self._set_lines(delivery.move_ids, self.lot_a, 5)
        delivery.move_ids.move_dest_ids = self._picking(self.warehouse.int_type_id).move_ids
        delivery.action_assign()
        self.assertEqual(delivery.move_line_ids.lot_id, self.lot_a)
        self._set_lines(delivery.move_ids, self.lot_a, 5)
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")

    def test_marking_a_reserved_line_picked_is_refused_for_a_quarantined_lot(self):
        delivery = self._delivery()
        # a reservation made by Odoo on a lot in quarantine (e.g. before the status existed)
        self._set_status(self.lot_a, "quarantine")
        line = (
            self.env["stock.move.line"]
            .with_context(lot_status_auto_reserve=AUTO_RESERVE)
            .create(self._line_vals(delivery.move_ids, self.lot_a, 5, picked=False))
            .with_env(self.env)
        )
        with self.assertRefused(UserError, "ST-A of ST Honey is Quarantine"):
            line.picked = True
        self.assertFalse(line.picked)

    # ------------------------------------------------------------------ consume

    def test_consuming_a_lot_that_is_not_usable_is_refused(self):
        production = self._production()
        self._set_status(self.lot_b, "blocked")
        with self.assertRefused(UserError, f"ST-B .*Blocked.*consumed in {production.name}"):
            self._set_lines(production.move_raw_ids, self.lot_b, 3)
        # blocked after the components were picked: refused when the order is done
        self._set_lines(production.move_raw_ids, self.lot_a, 3)
        production.qty_producing = 3
        self._set_status(self.lot_a, "recalled")
        with self.assertRefused(UserError, f"ST-A .*Recalled.*consumed in {production.name}"):
            production.button_mark_done()
        self.assertEqual(production.state, "to_close")
        self.assertEqual(self.lot_a.product_qty, 10)

    def test_lot_restricted_to_manufacturing_is_consumed_not_shipped(self):
        self._set_status(self.lot_a, "restricted", picking_types=self.warehouse.manu_type_id)
        delivery = self._delivery()
        with self.assertRefused(UserError, "Restricted to .*Manufacturing"):
            self._set_lines(delivery.move_ids, self.lot_a, 5)
        production = self._production()
        self._set_lines(production.move_raw_ids, self.lot_a, 3)
        production.qty_producing = 3
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(self.lot_a.product_qty, 7)

    # ------------------------------------------------------------------ allowed moves

    def test_internal_moves_scrap_and_returns_to_vendor_stay_allowed(self):
        self._set_status(self.lot_a, "blocked")
        shelf = self.env["stock.location"].create({"name": "Shelf", "location_id": self.stock.id})
        internal = self._picking(self.warehouse.int_type_id, qty=2, dest=shelf)
        self._set_lines(internal.move_ids, self.lot_a, 2)
        internal.button_validate()
        self.assertEqual(internal.state, "done")
        to_vendor = self._picking(self.warehouse.out_type_id, self.vendor, 3, dest=self.suppliers)
        self._set_lines(to_vendor.move_ids, self.lot_a, 3)
        to_vendor.button_validate()
        self.assertEqual(to_vendor.state, "done")
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.product.id,
                "lot_id": self.lot_a.id,
                "scrap_qty": 1,
                "location_id": self.stock.id,
            }
        )
        scrap.action_validate()
        self.assertEqual(scrap.state, "done")
        self.assertEqual(self.lot_a.product_qty, 6)

    # ------------------------------------------------------------------ unreserve

    def test_blocking_unreserves_and_reserves_another_lot(self):
        delivery = self._delivery(qty=5)
        production = self._production(qty=4)
        self._set_lines(delivery.move_ids, self.lot_a, 5, picked=False)
        self._set_lines(production.move_raw_ids, self.lot_a, 4, picked=False)
        self.assertEqual(self._reserved(self.lot_a), 9)
        self._set_status(self.lot_a, "blocked")
        self.assertEqual(self._reserved(self.lot_a), 0)
        self.assertFalse(
            self.env["stock.move.line"].search(
                [("lot_id", "=", self.lot_a.id), ("state", "not in", ("done", "cancel"))]
            )
        )
        # the moves were reserved again, on the usable lot
        self.assertEqual(delivery.move_line_ids.lot_id, self.lot_b)
        self.assertEqual(delivery.move_ids.quantity, 5)
        self.assertEqual(production.move_raw_ids.move_line_ids.lot_id, self.lot_b)
        self.assertEqual(self._reserved(self.lot_b), 9)

    def test_blocking_many_lots_unreserves_all_of_them(self):
        deliveries = [self._delivery(qty=3) for _i in range(3)]
        for delivery in deliveries:
            self._set_lines(delivery.move_ids, self.lot_a, 2, picked=False)
            self.env["stock.move.line"].create(
                self._line_vals(delivery.move_ids, self.lot_b, 1, picked=False)
            )
        (self.lot_a | self.lot_b)._lot_set_status("recalled", "Supplier recall")
        self.assertEqual(self._reserved(self.lot_a) + self._reserved(self.lot_b), 0)
        for delivery in deliveries:
            self.assertFalse(delivery.move_line_ids)
            self.assertEqual(delivery.state, "confirmed")

    def test_check_reads_lines_in_batch(self):
        lots = self.env["stock.lot"].union(*(self._lot(f"ST-Q{i}") for i in range(10)))
        for lot in lots:
            self.Quant._update_available_quantity(self.product, self.stock, 1, lot_id=lot)
        self._set_status(lots, "blocked")
        delivery = self._delivery(qty=10)
        delivery.do_unreserve()
        # reserved by Odoo before the lots were blocked, as it were
        lines = (
            self.env["stock.move.line"]
            .with_context(lot_status_auto_reserve=AUTO_RESERVE)
            .create([self._line_vals(delivery.move_ids, lot, 1, picked=False) for lot in lots])
            .with_env(self.env)
        )
        counts = []
        for subset in (lines[:2], lines):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            self.assertEqual(subset._lot_status_refused(), subset)
            counts.append(self.env.cr.sql_log_count - start)
        self.assertEqual(counts[0], counts[1], "no query per line")
