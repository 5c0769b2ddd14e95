from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import FefoReservationCase


@tagged("post_install", "-at_install")
class TestShelfLife(FefoReservationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cream = cls._product("FEFO Cream", expiration_time=40)
        cls.contact = cls.env["res.partner"].create(
            {"name": "FEFO Grocer dock", "parent_id": cls.customer.id, "type": "delivery"}
        )

    def _rules(self, customer=0, product=0, categ=0, parent=0, unit="days"):
        for record, value in (
            (self.customer, customer),
            (self.cream.product_tmpl_id, product),
            (self.categ, categ),
            (self.categ_parent, parent),
        ):
            record.write({"lot_min_shelf_life": value, "lot_min_shelf_life_unit": unit})

    def _stock_cream(self):
        # lots with 5, 12, 25 and 35 days left today
        for days in (5, 12, 25, 35):
            self._put(self._lot(self.cream, f"CR-{days}", days), 2)

    def _reserved_lots(self, quantity=1, partner=None, **kwargs):
        move = self._delivery(self.cream, quantity, partner=partner, **kwargs).move_ids
        return [name for name, _qty in self._reserved(move)]

    # ------------------------------------------------------------ the rule

    def test_precedence_customer_product_category(self):
        product = self.cream
        self._rules(customer=10, product=7, categ=5, parent=3)
        self.assertEqual(product._lot_min_shelf_life_days(self.customer), 10)
        # a contact follows its company's contract
        self.assertEqual(product._lot_min_shelf_life_days(self.contact), 10)
        self.assertEqual(product._lot_min_shelf_life_days(), 7)
        self._rules(customer=0, product=7, categ=5, parent=3)
        self.assertEqual(product._lot_min_shelf_life_days(self.customer), 7)
        # the most specific level wins even when it asks less
        self._rules(customer=2, product=7, categ=5, parent=3)
        self.assertEqual(product._lot_min_shelf_life_days(self.customer), 2)
        self._rules(categ=5, parent=3)
        self.assertEqual(product._lot_min_shelf_life_days(self.customer), 5)
        self._rules(parent=3)
        days, rule = product._lot_min_shelf_life_rule(self.customer)
        self.assertEqual((days, rule), (3, self.categ_parent))
        self._rules()
        self.assertEqual(product._lot_min_shelf_life_rule(self.customer), (0.0, None))

    def test_percent_of_the_product_shelf_life(self):
        self._rules(categ=25, unit="percent")
        self.assertEqual(self.cream._lot_min_shelf_life_days(), 10)
        self._rules(customer=50, categ=25, unit="percent")
        self.assertEqual(self.cream._lot_min_shelf_life_days(self.customer), 20)
        # days and percent mixed over the levels
        self.customer.write({"lot_min_shelf_life": 15, "lot_min_shelf_life_unit": "days"})
        self.assertEqual(self.cream._lot_min_shelf_life_days(self.customer), 15)
        self.assertEqual(self.cream._lot_min_shelf_life_days(), 10)
        # a product without expiration time has no shelf life to take a share of
        self.cream.expiration_time = 0
        self.assertEqual(self.cream._lot_min_shelf_life_days(), 0)

    def test_validation(self):
        for record in (self.customer, self.cream.product_tmpl_id, self.categ):
            with self.assertRaisesRegex(ValidationError, "cannot be negative"):
                record.write({"lot_min_shelf_life": -1})
            with self.assertRaisesRegex(ValidationError, "cannot exceed 100"):
                record.write({"lot_min_shelf_life": 120, "lot_min_shelf_life_unit": "percent"})
            record.write({"lot_min_shelf_life": 120, "lot_min_shelf_life_unit": "days"})
            self.assertEqual(record.lot_min_shelf_life, 120)

    def test_contact_follows_company_contract(self):
        self.customer.write({"lot_min_shelf_life": 30, "lot_min_shelf_life_unit": "percent"})
        self.assertEqual(self.contact.lot_min_shelf_life, 30)
        self.assertEqual(self.contact.lot_min_shelf_life_unit, "percent")

    def test_forms_show_the_rule(self):
        with Form(self.categ) as form:
            form.lot_min_shelf_life = 12
        self.assertEqual(self.categ.lot_min_shelf_life, 12)
        with Form(self.cream.product_tmpl_id) as form:
            form.lot_min_shelf_life = 20
            form.lot_min_shelf_life_unit = "percent"
        self.assertEqual(self.cream._lot_min_shelf_life_days(), 8)
        with Form(self.customer) as form:
            form.lot_min_shelf_life = 9
        self.assertEqual(self.cream._lot_min_shelf_life_days(self.contact), 9)

    # ---------------------------------------------------------- reservation

    def test_customer_rule_in_days(self):
        self._stock_cream()
        self._rules(customer=10, product=30, categ=20)
        self.assertEqual(self._reserved_lots(), ["CR-12"])
        # delivered to a contact of the customer: the company's contract
        self.assertEqual(self._reserved_lots(partner=self.contact), ["CR-12"])
        # another customer falls back to the product's rule
        other = self.env["res.partner"].create({"name": "FEFO Kiosk"})
        self.assertEqual(self._reserved_lots(partner=other), ["CR-35"])

    def test_rule_counts_at_the_scheduled_date(self):
        self._stock_cream()
        self._rules(customer=10)
        in_three_days = fields.Datetime.now() + timedelta(days=3)
        # CR-12 has 9 days left on the delivery date
        self.assertEqual(self._reserved_lots(scheduled=in_three_days), ["CR-25"])
        # exactly the minimum left is enough
        in_two_days = fields.Datetime.now() + timedelta(days=2)
        self.assertEqual(self._reserved_lots(scheduled=in_two_days), ["CR-12"])

    def test_product_rule_in_days(self):
        self._stock_cream()
        self._rules(product=20, categ=30)
        self.assertEqual(self._reserved_lots(), ["CR-25"])

    def test_category_rule_in_days_and_parent_category(self):
        self._stock_cream()
        self._rules(categ=6, parent=30)
        self.assertEqual(self._reserved_lots(), ["CR-12"])
        self._rules(parent=13)
        self.assertEqual(self._reserved_lots(), ["CR-25"])

    def test_percent_rules_reserve(self):
        self._stock_cream()
        # 50 % of 40 days = 20 days
        self._rules(categ=50, unit="percent")
        self.assertEqual(self._reserved_lots(), ["CR-25"])
        # 75 % of 40 = 30 days for this customer
        self._rules(customer=75, categ=50, unit="percent")
        self.assertEqual(self._reserved_lots(), ["CR-35"])
        # 26 % of 40 = 10.4 days: 11 whole days needed
        self._rules(customer=26, unit="percent")
        self.assertEqual(self._reserved_lots(), ["CR-12"])
        self._rules(customer=31, unit="percent")
        self.assertEqual(self._reserved_lots(), ["CR-25"])

    def test_no_lot_qualifies_move_stays_unreserved(self):
        self._stock_cream()
        self._rules(customer=60)
        move = self._delivery(self.cream, 1).move_ids
        self.assertEqual(move.state, "confirmed")
        self.assertFalse(move.move_line_ids)
        self.assertIn("customer FEFO Grocer needs 60 days", move.lot_fefo_unreserved_reason)
        self.assertIn("Lot CR-35 (2 kg) has 35 days left", move.lot_fefo_unreserved_reason)

    def test_rules_do_not_apply_to_internal_transfers(self):
        self._stock_cream()
        self._rules(product=30)
        internal = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.stock.id,
                "location_dest_id": self.shelf_a.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "cream",
                            "product_id": self.cream.id,
                            "product_uom_qty": 1,
                            "product_uom": self.cream.uom_id.id,
                            "location_id": self.stock.id,
                            "location_dest_id": self.shelf_a.id,
                        },
                    )
                ],
            }
        )
        internal.action_confirm()
        internal.action_assign()
        self.assertEqual(self._reserved(internal.move_ids), [("CR-5", 1.0)])
