from contextlib import contextmanager

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


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
