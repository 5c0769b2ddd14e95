from datetime import date, datetime, time, timedelta

from odoo import fields
from odoo.tests import TransactionCase

from ..tools import expiry

BRUSSELS = "Europe/Brussels"
AUCKLAND = "Pacific/Auckland"


class FefoReservationCase(TransactionCase):
    """Products with expiration dates under FEFO in a warehouse in Brussels, lots placed
    with a given last day of use, deliveries reserved the way users trigger it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.env.user.groups_id |= cls.env.ref("stock.group_production_lot")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.warehouse.partner_id = cls.env["res.partner"].create(
            {"name": "FEFO Brussels depot", "tz": BRUSSELS}
        )
        cls.stock = cls.warehouse.lot_stock_id
        cls.shelf_a = cls.env["stock.location"].create(
            {"name": "FEFO shelf A", "location_id": cls.stock.id}
        )
        cls.shelf_b = cls.env["stock.location"].create(
            {"name": "FEFO shelf B", "location_id": cls.stock.id}
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
