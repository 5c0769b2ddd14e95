from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..tools import expiry
from .common import BRUSSELS, FefoReservationCase


@tagged("post_install", "-at_install")
class TestFefoReservation(FefoReservationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.yogurt = cls._product("FEFO Yogurt")

    # ------------------------------------------------------- order and split

    def test_order_removal_then_expiry_then_in_date_and_split(self):
        early_in = datetime(2024, 1, 1, 8)
        late_in = datetime(2024, 2, 1, 8)
        # removal date first: B expires last but must be removed first
        lot_b = self._lot(self.yogurt, "B", 30)
        lot_b.removal_date = fields.Datetime.now() + timedelta(days=2)
        # same removal day and expiry: the earlier incoming date first (C before A)
        lot_a = self._lot(self.yogurt, "A", 10)
        lot_c = self._lot(self.yogurt, "C", 10)
        # same removal date, different expiry: E (expires first) before D, although
        # D came in earlier and core FEFO would take it first
        lot_d = self._lot(self.yogurt, "D", 12)
        lot_e = self._lot(self.yogurt, "E", 9)
        removal = lot_a.removal_date + timedelta(days=1)
        (lot_d | lot_e).removal_date = removal
        self._put(lot_b, 3, in_date=late_in)
        self._put(lot_a, 4, in_date=late_in)
        self._put(lot_c, 4, in_date=early_in)
        self._put(lot_d, 5, in_date=early_in)
        self._put(lot_e, 5, in_date=late_in)

        move = self._delivery(self.yogurt, 14).move_ids
        self.assertEqual(move.state, "assigned")
        self.assertEqual(self._reserved(move), [("B", 3.0), ("C", 4.0), ("A", 4.0), ("E", 3.0)])
        self.assertFalse(move.lot_fefo_unreserved_reason)

        # the rest goes on, split over the next lots in the same order
        move2 = self._delivery(self.yogurt, 4).move_ids
        self.assertEqual(self._reserved(move2), [("E", 2.0), ("D", 2.0)])

    def test_tie_break_empties_a_started_lot(self):
        full = self._lot(self.yogurt, "FULL", 10)
        started = self._lot(self.yogurt, "STARTED", 10)
        same_in = datetime(2024, 1, 1, 8)
        self._put(full, 10, in_date=same_in)
        self._put(started, 3, in_date=same_in)
        picking = self._delivery(self.yogurt, 2)
        # dates tie: the smaller quant goes first, so the started lot is emptied
        self.assertEqual(self._reserved(picking.move_ids), [("STARTED", 2.0)])
        picking.do_unreserve()
        # more than the started lot holds: empty it, then open the full one
        move = self._delivery(self.yogurt, 5).move_ids
        self.assertEqual(self._reserved(move), [("STARTED", 3.0), ("FULL", 2.0)])

    def test_split_across_sub_locations(self):
        first = self._lot(self.yogurt, "S1", 5)
        second = self._lot(self.yogurt, "S2", 6)
        self._put(first, 2, location=self.shelf_b)
        self._put(second, 10, location=self.shelf_a)
        move = self._delivery(self.yogurt, 7).move_ids
        self.assertEqual(
            [(line.lot_id.name, line.location_id, line.quantity) for line in move.move_line_ids],
            [("S1", self.shelf_b, 2.0), ("S2", self.shelf_a, 5.0)],
        )

    # ------------------------------------------------------------ status

    def test_unusable_statuses_are_not_reserved(self):
        for day, status in enumerate(("quarantine", "blocked", "recalled", "expired"), start=3):
            lot = self._lot(self.yogurt, status.upper(), day)
            self._set_status(lot, status)
            self._put(lot, 5)
        released = self._lot(self.yogurt, "RELEASED", 20)
        self._put(released, 5)
        move = self._delivery(self.yogurt, 8).move_ids
        self.assertEqual(move.state, "partially_available")
        self.assertEqual(self._reserved(move), [("RELEASED", 5.0)])
        # three lots named, latest expiry first, and a count of the others
        self.assertEqual(
            move.lot_fefo_unreserved_reason,
            "Lot EXPIRED (5 kg) is expired; Lot RECALLED (5 kg) is recalled; "
            "Lot BLOCKED (5 kg) is blocked; and 1 more lots",
        )
        move.picking_id.do_unreserve()
        self.assertFalse(move.lot_fefo_unreserved_reason)
        quarantine = self.env["stock.lot"].search([("name", "=", "QUARANTINE")])
        self._set_status(quarantine, "released")
        move.picking_id.action_assign()
        self.assertEqual(self._reserved(move), [("QUARANTINE", 5.0), ("RELEASED", 3.0)])
        self.assertFalse(move.lot_fefo_unreserved_reason)

    def test_only_the_reservation_says_why_a_move_is_not_reserved(self):
        """A stock user's reservation writes the reason; the user cannot write one."""
        user = new_test_user(self.env, login="fefo_reason_user", groups="stock.group_stock_user")
        expired = self._lot(self.yogurt, "WHY-EXPIRED", -1)
        self._put(expired, 5)
        move = self._delivery(self.yogurt, 5).move_ids
        move.picking_id.do_unreserve()
        self.assertFalse(move.lot_fefo_unreserved_reason)
        move.picking_id.with_user(user).action_assign()
        self.assertIn("WHY-EXPIRED", move.lot_fefo_unreserved_reason)
        with self.assertRaises(AccessError):
            move.with_user(user).write({"lot_fefo_unreserved_reason": "Nothing in stock"})
        with self.assertRaises(AccessError):
            move.with_user(user).copy({"lot_fefo_unreserved_reason": "Nothing in stock"})
        forged = (
            move.with_user(user)
            .with_context(default_lot_fefo_unreserved_reason="Nothing in stock")
            .copy()
        )
        self.assertFalse(forged.lot_fefo_unreserved_reason)
        move.picking_id.with_user(user).do_unreserve()
        self.assertFalse(move.lot_fefo_unreserved_reason)

    def test_restricted_lot_only_for_its_partner(self):
        restricted = self._lot(self.yogurt, "RESTRICTED", 5)
        self._set_status(restricted, "restricted", partners=self.customer)
        released = self._lot(self.yogurt, "RELEASED", 20)
        self._put(restricted, 5)
        self._put(released, 5)
        other = self.env["res.partner"].create({"name": "FEFO Other shop"})
        move = self._delivery(self.yogurt, 2, partner=other).move_ids
        self.assertEqual(self._reserved(move), [("RELEASED", 2.0)])
        # a contact of the customer gets the lot restricted to its company
        contact = self.env["res.partner"].create(
            {"name": "FEFO Grocer receiving", "parent_id": self.customer.id}
        )
        move = self._delivery(self.yogurt, 2, partner=contact).move_ids
        self.assertEqual(self._reserved(move), [("RESTRICTED", 2.0)])

    def test_restricted_lot_only_for_its_operation_type(self):
        kitchen_type = self.warehouse.out_type_id.copy(
            {"name": "FEFO Kitchen", "sequence_code": "KIT"}
        )
        restricted = self._lot(self.yogurt, "RESTRICTED", 5)
        self._set_status(restricted, "restricted", picking_types=kitchen_type)
        released = self._lot(self.yogurt, "RELEASED", 20)
        self._put(restricted, 5)
        self._put(released, 5)
        move = self._delivery(self.yogurt, 1).move_ids
        self.assertEqual(self._reserved(move), [("RELEASED", 1.0)])
        move = self._delivery(self.yogurt, 1, picking_type=kitchen_type).move_ids
        self.assertEqual(self._reserved(move), [("RESTRICTED", 1.0)])

    # ------------------------------------------------------- unreserved reason

    def test_unreserved_reason_names_skipped_lots_then_clears(self):
        self.customer.write({"lot_min_shelf_life": 10})
        short = self._lot(self.yogurt, "SHORT", 5)
        expired = self._lot(self.yogurt, "OLD", -1)
        blocked = self._lot(self.yogurt, "BLOCKED", 40)
        self._set_status(blocked, "blocked")
        self._put(short, 12)
        self._put(expired, 4)
        self._put(blocked, 1.5)
        move = self._delivery(self.yogurt, 6).move_ids
        self.assertEqual(move.state, "confirmed")
        self.assertFalse(move.move_line_ids)
        today = expiry.local_date(fields.Datetime.now(), BRUSSELS).strftime("%m/%d/%Y")
        reason = move.lot_fefo_unreserved_reason
        self.assertIn("Lot BLOCKED (1.5 kg) is blocked", reason)
        self.assertIn(
            f"Lot SHORT (12 kg) has 5 days left on {today}, customer FEFO Grocer needs 10 days",
            reason,
        )
        self.assertIn("Lot OLD (4 kg) is expired", reason)
        # latest expiry first
        self.assertLess(reason.index("BLOCKED"), reason.index("SHORT"))
        self.assertLess(reason.index("SHORT"), reason.index("OLD"))

        good = self._lot(self.yogurt, "GOOD", 15)
        self._put(good, 10)
        move.picking_id.action_assign()
        self.assertEqual(move.state, "assigned")
        self.assertEqual(self._reserved(move), [("GOOD", 6.0)])
        self.assertFalse(move.lot_fefo_unreserved_reason)

    def test_no_reason_without_skipped_stock(self):
        move = self._delivery(self.yogurt, 3).move_ids
        self.assertEqual(move.state, "confirmed")
        self.assertFalse(move.lot_fefo_unreserved_reason)
        # stock elsewhere in the warehouse tree is not under the move's location
        other_wh = self.env["stock.location"].create({"name": "FEFO outside", "usage": "internal"})
        lot = self._lot(self.yogurt, "ELSEWHERE", -3)
        self._put(lot, 5, location=other_wh)
        move.picking_id.action_assign()
        self.assertFalse(move.lot_fefo_unreserved_reason)

    def test_percent_rule_in_reason(self):
        self.categ.write({"lot_min_shelf_life": 50, "lot_min_shelf_life_unit": "percent"})
        lot = self._lot(self.yogurt, "HALF", 14)
        self._put(lot, 5)
        move = self._delivery(self.yogurt, 1).move_ids
        self.assertFalse(move.move_line_ids)
        self.assertIn("has 14 days left on", move.lot_fefo_unreserved_reason)
        self.assertIn(
            "category FEFO food / FEFO dairy needs 50 % of shelf life (15 days)",
            move.lot_fefo_unreserved_reason,
        )

    # ------------------------------------------------------- manufacturing

    def test_mo_components_follow_the_same_rules(self):
        milk = self._product("FEFO Milk", expiration_time=20, lot_min_shelf_life=5)
        cheese = self.env["product.product"].create({"name": "FEFO Cheese", "is_storable": True})
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": cheese.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": milk.id, "product_qty": 4})],
            }
        )
        # a customer rule must not apply to components
        self.customer.lot_min_shelf_life = 30
        too_short = self._lot(milk, "M-SHORT", 4)
        ok_now = self._lot(milk, "M-8", 8)
        blocked = self._lot(milk, "M-BLOCKED", 6)
        self._set_status(blocked, "blocked")
        later = self._lot(milk, "M-20", 20)
        for lot in (too_short, ok_now, blocked, later):
            self._put(lot, 3)

        def produce(start):
            production = self.env["mrp.production"].create(
                {
                    "product_id": cheese.id,
                    "product_qty": 1,
                    "bom_id": bom.id,
                    "picking_type_id": self.warehouse.manu_type_id.id,
                    "date_start": start,
                }
            )
            production.action_confirm()
            production.action_assign()
            return production

        now = fields.Datetime.now()
        production = produce(now)
        # 4 days left < 5: skipped; blocked: skipped; split over M-8 and M-20
        self.assertEqual(self._reserved(production.move_raw_ids), [("M-8", 3.0), ("M-20", 1.0)])
        production.do_unreserve()
        # scheduled in 4 days: M-8 has 4 days left then, only M-20 qualifies
        raw = produce(now + timedelta(days=4)).move_raw_ids
        self.assertEqual(raw.state, "partially_available")
        self.assertEqual(self._reserved(raw), [("M-20", 3.0)])
        reason = raw.lot_fefo_unreserved_reason
        self.assertIn("Lot M-8 (3 kg) has 4 days left", reason)
        self.assertIn("product FEFO Milk needs 5 days", reason)
        self.assertIn("Lot M-BLOCKED (3 kg) is blocked", reason)
        self.assertIn("Lot M-SHORT (3 kg) has 0 days left", reason)

    # --------------------------------------------------------- performance

    def test_queries_per_move_do_not_grow_with_lots(self):
        few = self._product("FEFO Few lots")
        many = self._product("FEFO Many lots")
        warm_up = self._product("FEFO Warm-up")
        self.customer.lot_min_shelf_life = 10

        def stock(product, count):
            # skipped: a blocked lot, a lot too short for the customer, an expired lot,
            # then ``count`` older lots (expired or blocked), and one usable lot
            for name, day, status in (("B", 40, "blocked"), ("S", 8, None), ("E", -1, None)):
                lot = self._lot(product, f"{product.name}-{name}", day)
                if status:
                    self._set_status(lot, status)
                self._put(lot, 2)
            for index in range(count):
                lot = self._lot(product, f"{product.name}-{index}", -5 - index)
                if index % 2:
                    self._set_status(lot, "blocked")
                self._put(lot, 2)
            self._put(self._lot(product, f"{product.name}-OK", 20), 2)

        stock(warm_up, 1)
        stock(few, 1)
        stock(many, 57)

        def count_queries(product, quantity):
            picking = self._delivery(product, quantity)
            picking.do_unreserve()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            picking.action_assign()
            return self.env.cr.sql_log_count - before, picking.move_ids

        count_queries(warm_up, 1)
        few_queries, few_move = count_queries(few, 1)
        many_queries, many_move = count_queries(many, 1)
        self.assertEqual(self._reserved(few_move), [("FEFO Few lots-OK", 1.0)])
        self.assertEqual(self._reserved(many_move), [("FEFO Many lots-OK", 1.0)])
        self.assertEqual(few_queries, many_queries)
        # not fully reservable: the reason costs the same number of queries too
        count_queries(warm_up, 50)
        few_queries, few_move = count_queries(few, 50)
        many_queries, many_move = count_queries(many, 500)
        self.assertIn("and 1 more lots", few_move.lot_fefo_unreserved_reason)
        self.assertIn("and 57 more lots", many_move.lot_fefo_unreserved_reason)
        self.assertIn("needs 10 days", many_move.lot_fefo_unreserved_reason)
        self.assertEqual(few_queries, many_queries)
