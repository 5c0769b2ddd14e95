from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import FefoReservationCase


@tagged("post_install", "-at_install")
class TestRemovalStrategies(FefoReservationCase):
    """The suite's removal strategies (FEFO fewest lots, FMFO, FEFO by package or pick
    face) chosen on the category, reserved by an inventory user, under the same status,
    expiry and shelf-life rules as FEFO."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fewest = cls.env.ref("lot_fefo.removal_fefo_fewest_lots")
        cls.fmfo = cls.env.ref("lot_fefo.removal_fmfo")
        cls.by_package = cls.env.ref("lot_fefo.removal_fefo_package")
        cls.yogurt = cls._product("STRAT Yogurt", expiration_time=60)
        cls.user = new_test_user(
            cls.env,
            login="strat_stock_user",
            groups="stock.group_stock_user,stock.group_production_lot",
        )
        cls.manager = new_test_user(
            cls.env,
            login="strat_stock_manager",
            groups="stock.group_stock_manager,stock.group_production_lot",
        )
        cls.other = cls.env["res.partner"].create({"name": "STRAT Other shop"})

    # ---------------------------------------------------------------- helpers

    def _use(self, removal):
        self.categ.removal_strategy_id = removal

    def _deliver(self, product, quantity, partner=None, user=None, **vals):
        """A delivery confirmed and reserved by an inventory user; its move."""
        admin_env = self.env
        self.env = self.env(user=user or self.user)
        try:
            return self._delivery(product, quantity, partner=partner, **vals).move_ids
        finally:
            self.env = admin_env

    def _reserve(self, product, quantity, partner=None, **vals):
        """[(lot, quantity)] an inventory user's delivery reserves, released afterwards."""
        move = self._deliver(product, quantity, partner=partner, **vals)
        reserved = self._reserved(move)
        move.picking_id.do_unreserve()
        return reserved

    def _package(self, name, lot, quantity, location=None):
        package = self.env["stock.quant.package"].create({"name": name})
        self.env["stock.quant"]._update_available_quantity(
            lot.product_id,
            location or self.stock,
            quantity,
            lot_id=lot,
            package_id=package,
            in_date=datetime(2024, 1, 1, 8),
        )
        return package

    def _plain_lot(self, product, name, **vals):
        return self.env["stock.lot"].create(
            {"name": name, "product_id": product.id, "company_id": self.company.id, **vals}
        )

    # ------------------------------------------------------------ the records

    def test_strategies_are_selectable_in_core_fields(self):
        removals = self.env["product.removal"].with_user(self.manager)
        found = removals.name_search("", limit=None)
        for removal, method in (
            (self.fewest, "fefo_fewest_lots"),
            (self.fmfo, "fmfo"),
            (self.by_package, "fefo_package"),
        ):
            self.assertEqual(removal.method, method)
            self.assertIn(removal.id, [row[0] for row in found])
        location = self.shelf_a.with_user(self.manager)
        location.removal_strategy_id = self.fmfo
        self.assertEqual(
            self.env["stock.quant"]._get_removal_strategy(self.yogurt, self.shelf_a), "fefo"
        )
        self.categ.removal_strategy_id = False
        self.assertEqual(
            self.env["stock.quant"]._get_removal_strategy(self.yogurt, self.shelf_a), "fmfo"
        )

    def test_window_set_by_inventory_administrators_only(self):
        self.fewest.with_user(self.manager).lot_fefo_window_days = 3
        self.assertEqual(self.fewest.lot_fefo_window_days, 3)
        with self.assertRaises(AccessError):
            self.fewest.with_user(self.user).lot_fefo_window_days = 10
        for vals in ({"method": "fifo"}, {"name": "Anything"}):
            with self.assertRaises(AccessError):
                self.fewest.with_user(self.manager).write(vals)
        with self.assertRaises(AccessError):
            self.env["product.removal"].with_user(self.manager).create(
                {"name": "Mine", "method": "fefo_fewest_lots"}
            )
        for days in (-1, 366):
            with self.assertRaises(ValidationError):
                self.fewest.with_user(self.manager).lot_fefo_window_days = days
        self.assertEqual(self.fewest.method, "fefo_fewest_lots")

    def test_window_is_set_per_company(self):
        company_b = self.env["res.company"].create({"name": "STRAT Company B"})
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)])
        user_b, manager_b = (
            new_test_user(
                self.env,
                login=login,
                groups=f"{group},stock.group_production_lot",
                company_id=company_b.id,
                company_ids=[Command.set(company_b.ids)],
            )
            for login, group in (
                ("strat_user_b", "stock.group_stock_user"),
                ("strat_manager_b", "stock.group_stock_manager"),
            )
        )
        self.fewest.with_user(manager_b).lot_fefo_window_days = 20
        self.assertEqual(self.fewest.with_user(self.manager).lot_fefo_window_days, 7)
        self.assertEqual(self.fewest.with_user(manager_b).lot_fefo_window_days, 20)
        self._use(self.fewest)
        for company, warehouse in ((self.company, self.warehouse), (company_b, warehouse_b)):
            for name, day, quantity in (("A", 5, 4), ("B", 6, 10), ("C", 8, 12), ("D", 20, 50)):
                lot = self._lot(self.yogurt, f"{warehouse.code}-{name}", day, company_id=company.id)
                self._put(lot, quantity, location=warehouse.lot_stock_id)
        code = self.warehouse.code
        self.assertEqual(
            self._reserve(self.yogurt, 40),
            [(f"{code}-A", 4.0), (f"{code}-B", 10.0), (f"{code}-C", 12.0), (f"{code}-D", 14.0)],
        )
        customer_b = self.env["res.partner"].create(
            {"name": "STRAT Customer B", "company_id": company_b.id}
        )
        self.assertEqual(
            self._reserve(self.yogurt, 40, partner=customer_b, user=user_b, warehouse=warehouse_b),
            [(f"{warehouse_b.code}-D", 40.0)],
        )

    def test_core_only_context_no_longer_skips_the_rules(self):
        self._use(self.env.ref("product_expiry.removal_fefo"))
        blocked = self._lot(self.yogurt, "BLOCKED", 3)
        self._set_status(blocked, "blocked")
        self._put(blocked, 5)
        released = self._lot(self.yogurt, "RELEASED", 9)
        self._put(released, 5)
        move = self._deliver(self.yogurt, 2)
        move.picking_id.do_unreserve()
        move.picking_id.with_user(self.user).with_context(lot_fefo_core_only=True).action_assign()
        self.assertEqual(self._reserved(move), [("RELEASED", 2.0)])

    # ------------------------------------------------------- FEFO, fewest lots

    def _fewest_stock(self):
        for name, day, quantity in (("A", 5, 4), ("B", 6, 10), ("C", 8, 12), ("D", 20, 50)):
            self._put(self._lot(self.yogurt, name, day), quantity)

    def test_fewest_lots_fills_from_as_few_lots_as_the_window_allows(self):
        self._use(self.fewest)
        self._fewest_stock()
        # one lot fills it: the earliest-expiring that can, not A and part of B
        self.assertEqual(self._reserve(self.yogurt, 10), [("B", 10.0)])
        self.assertEqual(self._reserve(self.yogurt, 12), [("C", 12.0)])
        # two lots at least: the earliest pair that fills it, the later one opened
        self.assertEqual(self._reserve(self.yogurt, 20), [("B", 10.0), ("C", 10.0)])
        # D expires 15 days after A, outside the 7-day window: the window's lots go first
        self.assertEqual(
            self._reserve(self.yogurt, 40), [("A", 4.0), ("B", 10.0), ("C", 12.0), ("D", 14.0)]
        )
        # the window is the strategy's own setting
        self.fewest.with_user(self.manager).lot_fefo_window_days = 20
        self.assertEqual(self._reserve(self.yogurt, 40), [("D", 40.0)])
        self.fewest.with_user(self.manager).lot_fefo_window_days = 0
        self.assertEqual(self._reserve(self.yogurt, 10), [("A", 4.0), ("B", 6.0)])

    def test_fewest_lots_window_starts_at_the_first_usable_lot(self):
        self._use(self.fewest)
        (self.customer | self.other).lot_min_shelf_life = 5
        for name, day, status in (
            ("OLD", -2, "released"),
            ("SHORT", 3, "released"),
            ("BLOCKED", 6, "blocked"),
            ("RESTR", 6, "restricted"),
        ):
            lot = self._lot(self.yogurt, name, day)
            if status == "restricted":
                self._set_status(lot, status, partners=self.other)
            elif status != "released":
                self._set_status(lot, status)
            self._put(lot, 100)
        for name, day, quantity in (("A", 7, 4), ("B", 9, 10), ("FAR", 30, 100)):
            self._put(self._lot(self.yogurt, name, day), quantity)
        # none of the large lots it may not take, nor FAR outside the window from A
        self.assertEqual(self._reserve(self.yogurt, 10), [("B", 10.0)])
        # the lot restricted to this shop is usable for it, and opens the window
        self.assertEqual(self._reserve(self.yogurt, 10, partner=self.other), [("RESTR", 10.0)])

    # ------------------------------------------------------------------ FMFO

    def test_fmfo_takes_the_first_made_lot(self):
        self._use(self.fmfo)
        flour = self._product("STRAT Flour", use_expiration_date=False)
        for name, vals, in_day in (
            ("LATE", {"production_date": date(2024, 3, 1)}, date(2024, 1, 1)),
            ("RECEIVED", {"receipt_date": datetime(2024, 2, 1, 9)}, date(2024, 1, 5)),
            ("NO-DATE", {}, date(2024, 1, 10)),
            ("MADE", {"production_date": date(2024, 1, 15)}, date(2024, 2, 10)),
        ):
            lot = self._plain_lot(flour, name, **vals)
            self._put(lot, 3, in_date=datetime.combine(in_day, datetime.min.time()))
        # production date, else receipt date, else the day the stock came in
        self.assertEqual(
            self._reserve(flour, 7), [("NO-DATE", 3.0), ("MADE", 3.0), ("RECEIVED", 1.0)]
        )
        # FIFO would follow the incoming dates
        self._use(self.env.ref("stock.removal_fifo"))
        self.assertEqual(self._reserve(flour, 4), [("LATE", 3.0), ("RECEIVED", 1.0)])

    def test_fmfo_keeps_status_expiry_and_shelf_life(self):
        self._use(self.fmfo)
        self.customer.lot_min_shelf_life = 10
        for name, made, day, status in (
            ("EXPIRED", date(2024, 1, 1), -1, "released"),
            ("BLOCKED", date(2024, 1, 2), 40, "blocked"),
            ("RESTR", date(2024, 1, 3), 40, "restricted"),
            ("SHORT", date(2024, 1, 4), 5, "released"),
            ("NEXT", date(2024, 1, 6), 50, "released"),
            ("FIRST-EXPIRING", date(2024, 1, 9), 20, "released"),
        ):
            lot = self._lot(self.yogurt, name, day, production_date=made)
            if status == "restricted":
                self._set_status(lot, status, partners=self.other)
            elif status != "released":
                self._set_status(lot, status)
            self._put(lot, 5)
        self.assertEqual(self._reserve(self.yogurt, 7), [("NEXT", 5.0), ("FIRST-EXPIRING", 2.0)])
        self.assertEqual(self._reserve(self.yogurt, 2, partner=self.other), [("RESTR", 2.0)])

    # ------------------------------------------------- FEFO by package or pick face

    def _package_lines(self, quantity, partner=None):
        move = self._deliver(self.yogurt, quantity, partner=partner)
        lines = [
            (line.lot_id.name, line.package_id.name or False, line.quantity)
            for line in move.move_line_ids.sorted("id")
        ]
        move.picking_id.do_unreserve()
        return lines

    def test_by_package_prefers_whole_packages_then_the_pick_face(self):
        self._use(self.by_package)
        lot_1 = self._lot(self.yogurt, "L1", 10)
        lot_2 = self._lot(self.yogurt, "L2", 10)
        self._package("PAL1", lot_1, 10)
        self._package("PAL2", lot_2, 6)
        self._put(lot_2, 8, location=self.shelf_a)
        # less than a package: the loose stock, where FEFO would open the smaller PAL2
        self.assertEqual(self._package_lines(4), [("L2", False, 4.0)])
        self._use(self.fefo)
        self.assertEqual(self._package_lines(4), [("L2", "PAL2", 4.0)])
        self._use(self.by_package)
        self.assertEqual(self._package_lines(10), [("L1", "PAL1", 10.0)])
        self.assertEqual(self._package_lines(16), [("L1", "PAL1", 10.0), ("L2", "PAL2", 6.0)])
        self.assertEqual(self._package_lines(13), [("L1", "PAL1", 10.0), ("L2", False, 3.0)])

    def test_by_package_keeps_expiry_order_and_the_rules(self):
        self._use(self.by_package)
        (self.customer | self.other).lot_min_shelf_life = 5
        short = self._lot(self.yogurt, "SHORT", 3)
        self._package("PAL-SHORT", short, 4)
        blocked = self._lot(self.yogurt, "BLOCKED", 6)
        self._set_status(blocked, "blocked")
        self._package("PAL-BLOCKED", blocked, 4)
        restricted = self._lot(self.yogurt, "RESTR", 7)
        self._set_status(restricted, "restricted", partners=self.other)
        self._package("PAL-RESTR", restricted, 4)
        early = self._lot(self.yogurt, "EARLY", 8)
        self._package("PAL-EARLY", early, 10)
        late = self._lot(self.yogurt, "LATE", 12)
        self._put(late, 20, location=self.shelf_a)
        # expiry first: the earliest usable lot's package is opened before loose stock
        self.assertEqual(self._package_lines(4), [("EARLY", "PAL-EARLY", 4.0)])
        # the shop the lot is restricted to gets it first, as a whole package
        self.assertEqual(self._package_lines(4, partner=self.other), [("RESTR", "PAL-RESTR", 4.0)])

    # ------------------------------------------------- reasons and manual picking

    def test_unreserved_reason_names_the_strategy(self):
        self.customer.lot_min_shelf_life = 500
        self._put(self._lot(self.yogurt, "SOON", 20, production_date=date(2024, 1, 1)), 5)
        for removal in (self.fewest, self.fmfo, self.by_package):
            with self.subTest(strategy=removal.name):
                self._use(removal)
                move = self._deliver(self.yogurt, 2)
                self.assertFalse(move.move_line_ids)
                self.assertTrue(
                    move.lot_fefo_unreserved_reason.startswith(f"{removal.name}: Lot SOON (5 kg)")
                )
        self._use(self.fefo)
        move = self._deliver(self.yogurt, 2)
        self.assertTrue(move.lot_fefo_unreserved_reason.startswith("Lot SOON (5 kg)"))

    def test_manual_picking_overrides_the_strategy_but_not_the_status(self):
        self._fewest_stock()
        blocked = self._lot(self.yogurt, "BLOCKED", 30)
        self._set_status(blocked, "blocked")
        self._put(blocked, 20)
        lot_c = self.env["stock.lot"].search(
            [("name", "=", "C"), ("product_id", "=", self.yogurt.id)]
        )
        for removal in (self.fewest, self.fmfo, self.by_package):
            with self.subTest(strategy=removal.name):
                self._use(removal)
                move = self._deliver(self.yogurt, 3)
                line = move.move_line_ids.with_user(self.user)
                self.assertEqual(len(line), 1)
                with self.assertRaises(UserError):
                    line.lot_id = blocked
                line.lot_id = lot_c
                self.assertEqual(self._reserved(move), [("C", 3.0)])
                move.picking_id.do_unreserve()
        self._use(self.fewest)
        picking = self._deliver(self.yogurt, 3).picking_id.with_user(self.user)
        picking.move_ids.move_line_ids.lot_id = lot_c
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, lot_c)
        self.assertEqual(picking.move_ids.move_line_ids.mapped("quantity"), [3.0])
