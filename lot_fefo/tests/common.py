"""Test cases shared by lot_fefo's tests (and the suite's): the FEFO reservation setup,
the lot status setup and the expiry alert setup."""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

from ..tools import expiry

BRUSSELS = "Europe/Brussels"
AUCKLAND = "Pacific/Auckland"


def _warehouse_with_shelves(cls, prefix):
    """Set on the test class the company's warehouse, its stock location and two shelves
    in it named after ``prefix``."""
    cls.warehouse = cls.env["stock.warehouse"].search(
        [("company_id", "=", cls.company.id)], limit=1
    )
    cls.stock = cls.warehouse.lot_stock_id
    cls.shelf_a = cls.env["stock.location"].create(
        {"name": f"{prefix} shelf A", "location_id": cls.stock.id}
    )
    cls.shelf_b = cls.env["stock.location"].create(
        {"name": f"{prefix} shelf B", "location_id": cls.stock.id}
    )


class FefoReservationCase(TransactionCase):
    """Products with expiration dates under FEFO in a warehouse in Brussels, lots placed
    with a given last day of use, deliveries reserved the way users trigger it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.env.user.groups_id |= cls.env.ref("stock.group_production_lot")
        _warehouse_with_shelves(cls, "FEFO")
        cls.warehouse.partner_id = cls.env["res.partner"].create(
            {"name": "FEFO Brussels depot", "tz": BRUSSELS}
        )
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.fefo = cls.env.ref("product_expiry.removal_fefo")
        cls.categ_parent = cls.env["product.category"].create({"name": "FEFO food"})
        cls.categ = cls.env["product.category"].create(
            {
                "name": "FEFO dairy",
                "parent_id": cls.categ_parent.id,
                "removal_strategy_id": cls.fefo.id,
            }
        )
        cls.customer = cls.env["res.partner"].create({"name": "FEFO Grocer", "is_company": True})
        cls.kg = cls.env.ref("uom.product_uom_kgm")

    # ----------------------------------------------------------------- data

    @classmethod
    def _product(cls, name, expiration_time=30, **vals):
        return cls.env["product.product"].create(
            {
                "name": name,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": expiration_time,
                "categ_id": cls.categ.id,
                "uom_id": cls.kg.id,
                "uom_po_id": cls.kg.id,
                **vals,
            }
        )

    def _today(self, tz=BRUSSELS):
        return expiry.local_date(fields.Datetime.now(), tz)

    def _lot(self, product, name, last_day, tz=BRUSSELS, **vals):
        """A lot whose last day of use is ``last_day`` (a date, or days from today)."""
        if isinstance(last_day, int):
            last_day = self._today(tz) + timedelta(days=last_day)
        # noon local time: the time of day must not matter
        moment = expiry.day_start_utc(last_day, tz) + timedelta(hours=12)
        return self.env["stock.lot"].create(
            {
                "name": name,
                "product_id": product.id,
                "company_id": self.company.id,
                "expiration_date": moment,
                **vals,
            }
        )

    def _set_status(self, lot, status, partners=None, picking_types=None):
        lot._lot_set_status(status, "FEFO test", partners=partners, picking_types=picking_types)

    def _put(self, lot, quantity, location=None, in_date=None):
        self.env["stock.quant"]._update_available_quantity(
            lot.product_id,
            location or self.stock,
            quantity,
            lot_id=lot,
            in_date=in_date or datetime.combine(date(2024, 1, 1), time(8)),
        )

    def _delivery(self, product, quantity, partner=None, scheduled=None, **vals):
        warehouse = vals.pop("warehouse", self.warehouse)
        picking_type = vals.pop("picking_type", warehouse.out_type_id)
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": (partner or self.customer).id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": self.customers.id,
                "scheduled_date": scheduled or fields.Datetime.now(),
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": self.customers.id,
                            **vals,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def _reserved(self, move):
        """[(lot name, quantity)] reserved on ``move``, in reservation order."""
        return [(line.lot_id.name, line.quantity) for line in move.move_line_ids.sorted("id")]


class LotStatusCase(TransactionCase):
    """A lot-tracked product in the company's warehouse (with a quarantine location),
    two lots in stock, a customer and a quality manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock = cls.warehouse.lot_stock_id
        cls.quarantine = cls.env["stock.location"].create(
            {
                "name": "ST Quarantine",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
            }
        )
        cls.warehouse.lot_quarantine_location_id = cls.quarantine
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        cls.customer = cls.env["res.partner"].create({"name": "ST Grocer", "is_company": True})
        cls.other_customer = cls.env["res.partner"].create({"name": "ST Deli", "is_company": True})
        cls.vendor = cls.env["res.partner"].create({"name": "ST Farm", "is_company": True})
        cls.product = cls.env["product.product"].create(
            {"name": "ST Honey", "is_storable": True, "tracking": "lot"}
        )
        cls.lot_a = cls._lot("ST-A")
        cls.lot_b = cls._lot("ST-B")
        cls.Quant = cls.env["stock.quant"]
        cls.Quant._update_available_quantity(cls.product, cls.stock, 10, lot_id=cls.lot_a)
        cls.Quant._update_available_quantity(cls.product, cls.stock, 10, lot_id=cls.lot_b)
        cls.quality_manager = new_test_user(
            cls.env,
            login="st_quality",
            groups="stock.group_stock_user,lot_fefo.group_lot_quality_manager",
        )
        cls.stock_user = new_test_user(cls.env, login="st_stock", groups="stock.group_stock_user")

    @contextmanager
    def assertRefused(self, exception, regex):
        """Like assertRaisesRegex, in a savepoint rolled back on the error (as a request
        would be), so that what follows sees the data as it was."""
        with self.assertRaises(exception) as context:
            yield context
        self.assertRegex(str(context.exception), regex)

    @classmethod
    def _lot(cls, name, product=None, **vals):
        return cls.env["stock.lot"].create(
            {"name": name, "product_id": (product or cls.product).id, **vals}
        )

    def _picking(self, picking_type, partner=None, qty=5, product=None, src=None, dest=None):
        product = product or self.product
        src = src or picking_type.default_location_src_id
        dest = dest or picking_type.default_location_dest_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner and partner.id,
                "location_id": src.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": src.id,
                            "location_dest_id": dest.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def _delivery(self, partner=None, qty=5):
        return self._picking(self.warehouse.out_type_id, partner or self.customer, qty)

    def _line_vals(self, move, lot, qty, **vals):
        """Values of a detailed-operation line the user adds on ``move`` for ``lot``."""
        return {
            **move._prepare_move_line_vals(quantity=qty),
            "lot_id": lot.id,
            **vals,
        }

    def _set_status(self, lots, status, **kwargs):
        return lots._lot_set_status(status, f"test: {status}", **kwargs)

    def _reserved(self, lot):
        """Quantity reserved on the lot's quants."""
        quants = self.Quant.search([("lot_id", "=", lot.id)])
        return sum(quants.mapped("reserved_quantity"))

    def _on_hand(self, lot, location):
        quants = self.Quant.search([("lot_id", "=", lot.id), ("location_id", "=", location.id)])
        return sum(quants.mapped("quantity"))


class ExpiryCase(TransactionCase):
    """A company in Brussels with expiry alert horizons 90, 30, 7 days, products valued
    at standard cost (and one valued by lot at average cost), stock received by inventory
    adjustments (with valuation layers), and a fixed ``now``: 10:00 local time today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = BRUSSELS
        cls.company.lot_expiry_alert_horizons = "90,30,7"
        cls.company.lot_expiry_move_expired = False
        _warehouse_with_shelves(cls, "EX")
        cls.quality_group = cls.env.ref("lot_fefo.group_lot_quality_manager")
        cls.user_a = new_test_user(cls.env, "ex_user_a", groups="stock.group_stock_user")
        cls.user_b = new_test_user(cls.env, "ex_user_b", groups="stock.group_stock_user")
        cls.user_q = new_test_user(
            cls.env,
            "ex_quality",
            groups="stock.group_stock_user,lot_fefo.group_lot_quality_manager",
        )
        cls.company.lot_expiry_responsible_id = cls.user_q
        cls.categ_standard = cls.env["product.category"].create(
            {"name": "EX standard", "property_cost_method": "standard"}
        )
        cls.categ_average = cls.env["product.category"].create(
            {"name": "EX average", "property_cost_method": "average"}
        )
        cls.product_a = cls._product("EX Yoghurt", 2.5, cls.user_a)
        cls.product_b = cls._product(
            "EX Cheese", 1.0, cls.user_b, categ_id=cls.categ_average.id, lot_valuated=True
        )
        # responsible left to an archived user: the company's fallback receives the alerts
        cls.product_c = cls._product("EX Cream", 4.0, cls.env.ref("base.user_root"))
        cls.today = expiry.local_date(fields.Datetime.now(), BRUSSELS)
        cls.now = cls._at(0, hours=10)

    @classmethod
    def _product(cls, name, cost, responsible, **vals):
        return cls.env["product.product"].create(
            {
                "name": name,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "categ_id": cls.categ_standard.id,
                "standard_price": cost,
                "responsible_id": responsible.id,
                **vals,
            }
        )

    @classmethod
    def _at(cls, days, hours=0, minutes=0):
        """Naive UTC datetime of ``hours:minutes`` local time, ``days`` after today."""
        start = expiry.day_start_utc(cls.today + timedelta(days=days), BRUSSELS)
        return start + timedelta(hours=hours, minutes=minutes)

    def _lot(self, product, name, last_day, **vals):
        """A lot whose last day of use is ``last_day`` days after today (noon local)."""
        return self.env["stock.lot"].create(
            {
                "name": name,
                "product_id": product.id,
                "company_id": self.company.id,
                "expiration_date": self._at(last_day, hours=12),
                **vals,
            }
        )

    def _receive(self, lot, quantity, location=None):
        """Stock counted in by an inventory adjustment, valued like any receipt."""
        quant = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                {
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "location_id": (location or self.stock).id,
                    "inventory_quantity": quantity,
                }
            )
        )
        quant.action_apply_inventory()

    def _on_hand(self, lot, location=None):
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "=", lot.id),
                ("location_id", "child_of", (location or self.warehouse.view_location_id).id),
            ]
        )
        return sum(quants.mapped("quantity"))
