from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..tools import expiry
from .common import AUCKLAND, BRUSSELS, FefoReservationCase


@tagged("post_install", "-at_install")
class TestNearExpiryReport(FefoReservationCase):
    """Near-expiry stock by warehouse: quantity, value at cost and days left, with a
    warehouse in Brussels and one in Auckland."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["lot.near.expiry.report"]
        cls.auckland = cls.env["stock.warehouse"].create(
            {
                "name": "NE Auckland",
                "code": "NEAK",
                "company_id": cls.company.id,
                "partner_id": cls.env["res.partner"]
                .create({"name": "NE Auckland depot", "tz": AUCKLAND})
                .id,
            }
        )
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        fifo = cls.env["product.category"].create(
            {"name": "NE FIFO", "property_cost_method": "fifo", "parent_id": cls.categ.id}
        )
        cls.cheese = cls._product("NE Cheese", categ_id=fifo.id)
        cls.butter = cls._product("NE Butter", categ_id=fifo.id, lot_valuated=True)

    def _receive(self, lot, quantity, price, warehouse=None):
        warehouse = warehouse or self.warehouse
        self._transfer(lot, quantity, self.suppliers, warehouse.lot_stock_id, price=price)

    def _transfer(self, lot, quantity, source, destination, price=0.0):
        """Validate a receipt or delivery of ``quantity`` of ``lot``."""
        warehouse = (source | destination).warehouse_id
        incoming = source.usage == "supplier"
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": (warehouse.in_type_id if incoming else warehouse.out_type_id).id,
                "partner_id": self.customer.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.product_id.name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "product_uom": lot.product_id.uom_id.id,
                            "price_unit": price,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move._do_unreserve()
        vals = move._prepare_move_line_vals(quantity=quantity)
        vals.update(lot_id=lot.id, picked=True)
        self.env["stock.move.line"].create(vals)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def _rows(self, products):
        self.env.flush_all()
        return self.Report.search([("product_id", "in", products.ids)])

    def _row(self, lot, warehouse=None):
        warehouse = warehouse or self.warehouse
        self.env.flush_all()
        return self.Report.search([("lot_id", "=", lot.id), ("warehouse_id", "=", warehouse.id)])

    def test_quantity_value_and_days_left_by_warehouse(self):
        lot_a = self._lot(self.cheese, "NE-A", 3)
        lot_b = self._lot(self.cheese, "NE-B", 40, tz=AUCKLAND)
        self._receive(lot_a, 10, 2.0)
        self._receive(lot_b, 10, 4.0, warehouse=self.auckland)
        # average cost of the remaining layers: 60 / 20
        self.assertAlmostEqual(self._row(lot_a).value, 30.0)
        self.assertAlmostEqual(self._row(lot_b, self.auckland).value, 30.0)

        # FIFO ships the 2.0 layer: 52 left for 16 units, 3.25 each
        self._transfer(lot_a, 4, self.stock, self.customers)
        # stock owned by a supplier counts in quantity, not in value
        owner = self.env["res.partner"].create({"name": "NE consignor"})
        self.env["stock.quant"]._update_available_quantity(
            self.cheese, self.stock, 3, lot_id=lot_a, owner_id=owner
        )
        self.env.invalidate_all()

        row_a, row_b = self._row(lot_a), self._row(lot_b, self.auckland)
        self.assertEqual((row_a.quantity, row_b.quantity), (9.0, 10.0))
        self.assertAlmostEqual(row_a.value, 19.5)
        self.assertAlmostEqual(row_b.value, 32.5)
        self.assertEqual(row_a.currency_id, self.company.currency_id)
        self.assertEqual((row_a.days_left, row_b.days_left), (3, 40))
        self.assertEqual(row_a.location_id, self.stock)
        self.assertEqual(row_a.expiration_date, lot_a.expiration_date)
        self.assertEqual(row_a.uom_id, self.kg)
        # the same value as Odoo's inventory valuation of the quants
        quants = self.env["stock.quant"].search(
            [("product_id", "=", self.cheese.id), ("location_id.usage", "=", "internal")]
        )
        self.assertAlmostEqual(sum(quants.mapped("value")), 52.0)
        self.assertAlmostEqual(sum(self._rows(self.cheese).mapped("value")), 52.0)

        self.env.flush_all()
        groups = self.Report.read_group(
            [("product_id", "=", self.cheese.id)],
            ["quantity:sum", "value:sum", "days_left:min"],
            ["warehouse_id"],
        )
        by_warehouse = {
            group["warehouse_id"][0]: (group["quantity"], group["value"], group["days_left"])
            for group in groups
        }
        self.assertEqual(by_warehouse[self.warehouse.id][:1], (9.0,))
        self.assertAlmostEqual(by_warehouse[self.warehouse.id][1], 19.5)
        self.assertEqual(by_warehouse[self.auckland.id][2], 40)

    def test_lot_valuated_products_use_the_lots_cost(self):
        lot_c = self._lot(self.butter, "NE-C", 10)
        lot_d = self._lot(self.butter, "NE-D", 20)
        self._receive(lot_c, 10, 2.0)
        self._receive(lot_d, 5, 6.0)
        self.assertAlmostEqual(self._row(lot_c).value, 20.0)
        self.assertAlmostEqual(self._row(lot_d).value, 30.0)

    def test_days_left_in_each_warehouse_time_zone(self):
        """One lot in both warehouses, expiring at 12:30 UTC: that is still the same day
        in Brussels and already the next day in Auckland."""
        now = self.env.cr.now()
        moment = datetime.combine(now.date() + timedelta(days=6), datetime.min.time()).replace(
            hour=12, minute=30
        )
        lot = self._lot(self.cheese, "NE-TZ", 6)
        lot.expiration_date = moment
        self.assertEqual(
            expiry.local_date(moment, AUCKLAND), expiry.local_date(moment, BRUSSELS) + timedelta(1)
        )
        self._put(lot, 2)
        self._put(lot, 3, location=self.auckland.lot_stock_id)
        for warehouse, tz in ((self.warehouse, BRUSSELS), (self.auckland, AUCKLAND)):
            row = self._row(lot, warehouse)
            self.assertEqual(row.days_left, expiry.days_left(moment, now, tz), tz)

    def test_expired_and_horizon_filters(self):
        expired = self._lot(self.cheese, "NE-EXP", -1)
        today = self._lot(self.cheese, "NE-TODAY", 0)
        week = self._lot(self.cheese, "NE-WEEK", 7)
        later = self._lot(self.cheese, "NE-LATER", 45)
        for lot in expired | today | week | later:
            self._put(lot, 1)
        self.assertEqual(
            [(row.lot_id.name, row.days_left) for row in self._rows(self.cheese)],
            [("NE-EXP", -1), ("NE-TODAY", 0), ("NE-WEEK", 7), ("NE-LATER", 45)],
        )
        search = self.env.ref("lot_fefo.lot_near_expiry_report_view_search")
        self.assertIn('name="within_30"', search.arch)

        def names(domain):
            return self._rows(self.cheese).filtered_domain(domain).lot_id.mapped("name")

        self.assertEqual(names([("days_left", "<", 0)]), ["NE-EXP"])
        self.assertEqual(
            names([("days_left", ">=", 0), ("days_left", "<=", 7)]), ["NE-TODAY", "NE-WEEK"]
        )
        self.assertEqual(
            self.Report.search([("lot_id", "=", expired.id), ("days_left", "<", 0)]),
            self._row(expired),
        )

    def test_only_internal_stock_with_expiration_dates(self):
        dated = self._lot(self.cheese, "NE-DATED", 5)
        undated = self.env["stock.lot"].create(
            {"name": "NE-UNDATED", "product_id": self.cheese.id, "company_id": self.company.id}
        )
        undated.expiration_date = False
        self._put(dated, 2)
        self._put(undated, 2)
        self._put(dated, 5, location=self.customers)
        self.assertEqual(self._rows(self.cheese).lot_id, dated)
        self.assertEqual(self._row(dated).quantity, 2.0)

    def test_access_stock_user_and_companies(self):
        lot = self._lot(self.cheese, "NE-ACC", 5)
        self._receive(lot, 4, 2.5)
        other_company = self.env["res.company"].create({"name": "NE Other Co"})
        other_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", other_company.id)], limit=1
        )
        other_lot = self.env["stock.lot"].create(
            {
                "name": "NE-OTHER",
                "product_id": self.cheese.id,
                "company_id": other_company.id,
                "expiration_date": lot.expiration_date,
            }
        )
        self.env["stock.quant"].sudo()._update_available_quantity(
            self.cheese, other_warehouse.lot_stock_id, 1, lot_id=other_lot
        )
        self.env.flush_all()
        user = new_test_user(
            self.env,
            login="ne_stock_user",
            groups="stock.group_stock_user,stock.group_production_lot",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        rows = self.Report.with_user(user).search([("product_id", "=", self.cheese.id)])
        self.assertEqual(rows.lot_id, lot)
        self.assertEqual(rows.quantity, 4.0)
        with self.assertRaises(AccessError):
            rows.read(["value"])
        with self.assertRaises(AccessError):
            rows.write({"quantity": 1})
        manager = new_test_user(
            self.env,
            login="ne_stock_manager",
            groups="stock.group_stock_manager,stock.group_production_lot",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        # value at cost is for accounting groups only, warehouse managers included
        as_manager = self.Report.with_user(manager).search([("lot_id", "=", lot.id)])
        with self.assertRaises(AccessError):
            as_manager.read(["value"])
        with self.assertRaises(AccessError):
            as_manager.read_group([], ["value:sum"], ["warehouse_id"])
        views = as_manager.get_views([(False, "list"), (False, "pivot")])["views"]
        self.assertNotIn('name="value"', views["list"]["arch"] + views["pivot"]["arch"])
        accountant = new_test_user(
            self.env,
            login="ne_accountant",
            groups="stock.group_stock_user,stock.group_production_lot,"
            "account.group_account_readonly",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.assertEqual(
            self.Report.with_user(accountant).search([("lot_id", "=", lot.id)]).value, 10.0
        )
