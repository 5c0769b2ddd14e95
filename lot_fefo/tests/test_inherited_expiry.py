from datetime import timedelta

from odoo import Command
from odoo.tests import Form, tagged

from ..tools import expiry
from .common import BRUSSELS, FefoReservationCase


@tagged("post_install", "-at_install")
class TestInheritedExpiry(FefoReservationCase):
    """Lots made by manufacturing orders: expiry from the consumed component lots, or the
    product's shelf life from the production date (warehouse in Brussels)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the production date of a lot is the user's local day
        cls.env.user.tz = BRUSSELS
        cls.milk = cls._product("IE Milk", expiration_time=7)
        cls.flour = cls._product("IE Flour", expiration_time=180)
        # a lot-tracked component without expiration dates is ignored
        cls.salt = cls._product("IE Salt", use_expiration_date=False)
        cls.dough = cls._product(
            "IE Dough",
            expiration_time=30,
            use_time=2,
            removal_time=1,
            alert_time=3,
            lot_expiry_from_components=True,
        )
        cls.cookies = cls._product(
            "IE Cookies", expiration_time=60, lot_expiry_from_components=True
        )
        cls.bread = cls._product("IE Bread", expiration_time=5, use_time=1, alert_time=2)
        cls.bom_dough = cls._bom(cls.dough, [(cls.milk, 2), (cls.flour, 3), (cls.salt, 1)])
        cls.bom_cookies = cls._bom(cls.cookies, [(cls.dough, 1), (cls.flour, 1)])
        cls.bom_bread = cls._bom(cls.bread, [(cls.milk, 1), (cls.flour, 1)])
        cls.salt_lot = cls.env["stock.lot"].create(
            {"name": "IE-SALT", "product_id": cls.salt.id, "company_id": cls.company.id}
        )

    @classmethod
    def _bom(cls, product, components):
        return cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "product_uom_id": product.uom_id.id,
                # components are consumed as the tests say, without warnings
                "consumption": "flexible",
                "bom_line_ids": [
                    Command.create(
                        {
                            "product_id": comp.id,
                            "product_qty": qty,
                            "product_uom_id": comp.uom_id.id,
                        }
                    )
                    for comp, qty in components
                ],
            }
        )

    def _produce(self, bom, qty, components, lot=None):
        """Manufacture ``qty`` with exactly these (lot, quantity) components; the finished
        lot is ``lot`` or a new one named by Odoo. Returns the finished lot."""
        for comp_lot, comp_qty in components:
            self._put(comp_lot, comp_qty)
        production = self.env["mrp.production"].create(
            {
                "product_id": bom.product_id.id or bom.product_tmpl_id.product_variant_id.id,
                "bom_id": bom.id,
                "product_qty": qty,
                "picking_type_id": self.warehouse.manu_type_id.id,
                "location_src_id": self.stock.id,
                "location_dest_id": self.stock.id,
            }
        )
        production.action_confirm()
        if lot:
            production.lot_producing_id = lot
        else:
            production.action_generate_serial()
        production.qty_producing = qty
        production._set_qty_producing()
        self.env["lot.traceability.demo"]._set_lines(production.move_raw_ids, components)
        production.with_context(skip_expired=True).button_mark_done()
        self.assertEqual(production.state, "done")
        return production.lot_producing_id

    def _day(self, moment):
        return expiry.local_date(moment, BRUSSELS)

    def _shelf_life_end(self, lot, days):
        """Noon, local time, ``days`` after the lot's production date."""
        return expiry.day_start_utc(lot.production_date + timedelta(days=days), BRUSSELS) + (
            timedelta(hours=12)
        )

    def _assert_core_offsets(self, lot):
        template = lot.product_id.product_tmpl_id
        self.assertEqual(lot.use_date, lot.expiration_date - timedelta(days=template.use_time))
        self.assertEqual(
            lot.removal_date, lot.expiration_date - timedelta(days=template.removal_time)
        )
        self.assertEqual(lot.alert_date, lot.expiration_date - timedelta(days=template.alert_time))

    # ------------------------------------------------------------------ from components

    def test_earliest_component_expiry_wins(self):
        milk = self._lot(self.milk, "IE-MLK-1", 5)
        flour = self._lot(self.flour, "IE-FLR-1", 100)
        dough = self._produce(self.bom_dough, 10, [(milk, 20), (flour, 30), (self.salt_lot, 10)])
        # earlier than the dough's own 30 days of shelf life: the milk's date, as it is
        self.assertEqual(dough.expiration_date, milk.expiration_date)
        self.assertEqual(dough.production_date, self._today())
        self._assert_core_offsets(dough)
        self.assertEqual(self._day(dough.removal_date), self._today() + timedelta(days=4))
        # the finished move line shows the lot's date
        line = self.env["stock.move.line"].search(
            [("lot_id", "=", dough.id), ("state", "=", "done")]
        )
        self.assertEqual(line.expiration_date, milk.expiration_date)

    def test_two_levels_follow_the_lots_actually_consumed(self):
        """dough -> cookies: the cookies inherit the milk date through the dough lot they
        consumed, not the earlier milk lot of another dough lot."""
        milk_early = self._lot(self.milk, "IE-MLK-E", 3)
        milk_late = self._lot(self.milk, "IE-MLK-L", 6)
        flour = self._lot(self.flour, "IE-FLR-2", 100)
        dough_a = self._produce(self.bom_dough, 5, [(milk_early, 10), (flour, 15)])
        dough_b = self._produce(self.bom_dough, 5, [(milk_late, 10), (flour, 15)])
        self.assertEqual(dough_a.expiration_date, milk_early.expiration_date)
        self.assertEqual(dough_b.expiration_date, milk_late.expiration_date)

        cookies = self._produce(self.bom_cookies, 4, [(dough_b, 4), (flour, 4)])
        self.assertEqual(cookies.expiration_date, milk_late.expiration_date)
        self.assertEqual(self._day(cookies.expiration_date), self._today() + timedelta(days=6))

    def test_capped_by_the_products_own_shelf_life(self):
        flour = self._lot(self.flour, "IE-FLR-3", 150)
        milk = self._lot(self.milk, "IE-MLK-3", 90)
        dough = self._produce(self.bom_dough, 2, [(milk, 4), (flour, 6)])
        self.assertEqual(dough.expiration_date, self._shelf_life_end(dough, 30))
        self.assertEqual(self._day(dough.expiration_date), self._today() + timedelta(days=30))
        self._assert_core_offsets(dough)

    def test_no_dated_component_falls_back_to_shelf_life(self):
        # flour and milk without expiration dates on their lots, salt without any
        flour = self.env["stock.lot"].create(
            {"name": "IE-FLR-ND", "product_id": self.flour.id, "company_id": self.company.id}
        )
        flour.expiration_date = False
        milk = self.env["stock.lot"].create(
            {"name": "IE-MLK-ND", "product_id": self.milk.id, "company_id": self.company.id}
        )
        milk.expiration_date = False
        dough = self._produce(self.bom_dough, 1, [(milk, 2), (flour, 3), (self.salt_lot, 1)])
        self.assertEqual(dough.expiration_date, self._shelf_life_end(dough, 30))

    def test_date_entered_on_the_lot_is_kept_when_earlier(self):
        milk = self._lot(self.milk, "IE-MLK-4", 6)
        flour = self._lot(self.flour, "IE-FLR-4", 100)
        earlier = self._lot(self.dough, "IE-DGH-EARLY", 2)
        dough = self._produce(self.bom_dough, 1, [(milk, 2), (flour, 3)], lot=earlier)
        self.assertEqual(dough.expiration_date, earlier.expiration_date)
        self.assertEqual(self._day(dough.expiration_date), self._today() + timedelta(days=2))
        # an entered date later than a component's is brought forward
        later = self._lot(self.dough, "IE-DGH-LATE", 20)
        dough = self._produce(self.bom_dough, 1, [(milk, 2), (flour, 3)], lot=later)
        self.assertEqual(dough.expiration_date, milk.expiration_date)
        self._assert_core_offsets(dough)

    # ------------------------------------------------------------------ option off

    def test_without_the_option_shelf_life_from_the_production_date(self):
        milk = self._lot(self.milk, "IE-MLK-5", 2)
        flour = self._lot(self.flour, "IE-FLR-5", 100)
        bread = self._produce(self.bom_bread, 3, [(milk, 3), (flour, 3)])
        # the milk expiring in 2 days does not matter: 5 days from the production date
        self.assertEqual(bread.production_date, self._today())
        self.assertEqual(bread.expiration_date, self._shelf_life_end(bread, 5))
        self.assertEqual(self._day(bread.expiration_date), self._today() + timedelta(days=5))
        self._assert_core_offsets(bread)
        self.assertEqual(self._day(bread.use_date), self._today() + timedelta(days=4))
        self.assertEqual(self._day(bread.alert_date), self._today() + timedelta(days=3))

    def test_without_the_option_production_date_from_the_lot(self):
        """A lot created earlier keeps Odoo's default date until it is produced: then its
        shelf life counts from its production date (here a date entered on the lot)."""
        milk = self._lot(self.milk, "IE-MLK-6", 6)
        flour = self._lot(self.flour, "IE-FLR-6", 100)
        lot = self.env["stock.lot"].create(
            {
                "name": "IE-BRD-PD",
                "product_id": self.bread.id,
                "company_id": self.company.id,
                "production_date": self._today() - timedelta(days=1),
            }
        )
        bread = self._produce(self.bom_bread, 1, [(milk, 1), (flour, 1)], lot=lot)
        self.assertEqual(self._day(bread.expiration_date), self._today() + timedelta(days=4))

    def test_without_the_option_an_entered_date_is_kept(self):
        milk = self._lot(self.milk, "IE-MLK-7", 6)
        flour = self._lot(self.flour, "IE-FLR-7", 100)
        entered = self._lot(self.bread, "IE-BRD-ENTERED", 12)
        moment = entered.expiration_date
        bread = self._produce(self.bom_bread, 1, [(milk, 1), (flour, 1)], lot=entered)
        self.assertEqual(bread.expiration_date, moment)

    def test_option_on_the_product_form(self):
        self.assertFalse(self.bread.lot_expiry_from_components)
        with Form(self.bread.product_tmpl_id) as form:
            form.lot_expiry_from_components = True
        self.assertTrue(self.bread.lot_expiry_from_components)
