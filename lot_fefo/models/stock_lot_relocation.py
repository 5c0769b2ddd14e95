from collections import defaultdict

from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class StockLot(models.Model):
    _inherit = "stock.lot"

    def _lot_relocate_stock(self, warehouse_location_field):
        """Move the on-hand stock of these lots, warehouse by warehouse, to the location in
        the ``stock.warehouse`` field ``warehouse_location_field`` (e.g.
        "lot_quarantine_location_id") with one validated internal transfer per warehouse,
        in the warehouse's company. Only the stock of the current companies is moved.

        Stock already in (or under) that location, reserved by picked lines and outside any
        warehouse stays where it is. Raises UserError, before moving anything, when a
        warehouse holding stock has no such location. Returns the transfers.
        """
        Picking = self.env["stock.picking"]
        if not self:
            return Picking
        by_warehouse = self._lot_relocation_quants(warehouse_location_field)
        pickings = Picking
        for warehouse, wh_quants in by_warehouse.items():
            target = warehouse[warehouse_location_field]
            to_move = []
            for quant in wh_quants:
                quantity = quant.quantity - quant.reserved_quantity
                rounding = quant.product_uom_id.rounding
                if (
                    not quant.location_id._child_of(target)
                    and float_compare(quantity, 0, precision_rounding=rounding) > 0
                ):
                    to_move.append((quant, quantity))
            if to_move:
                lots = self.with_company(warehouse.company_id)
                picking = lots._lot_relocation_picking(warehouse, target, to_move)
                picking._action_done()
                pickings |= picking
        return pickings

    def _lot_relocation_quants(self, warehouse_location_field):
        """On-hand quants of these lots in the current companies, by warehouse; raises
        UserError when a warehouse holding some has no location in
        ``warehouse_location_field``."""
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "in", self.ids),
                ("location_id.usage", "=", "internal"),
                ("quantity", ">", 0),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        by_warehouse = defaultdict(lambda: self.env["stock.quant"])
        for quant in quants:
            if quant.location_id.warehouse_id:
                by_warehouse[quant.location_id.warehouse_id] |= quant
        missing = [wh for wh in by_warehouse if not wh[warehouse_location_field]]
        if missing:
            label = self.env["stock.warehouse"].fields_get([warehouse_location_field], ["string"])[
                warehouse_location_field
            ]["string"]
            raise UserError(
                self.env._(
                    "Set the %(location)s of warehouse %(warehouses)s first "
                    "(Inventory > Configuration > Warehouses): the stock of %(lots)s is "
                    "moved there.",
                    location=label,
                    warehouses=", ".join(wh.display_name for wh in missing),
                    lots=self._lot_names(),
                )
            )
        return by_warehouse

    def _lot_relocation_picking(self, warehouse, target, to_move):
        """Internal transfer of ``warehouse`` moving (quant, quantity) pairs to ``target``,
        one move per quant with its exact lot, location, package and owner, all in the
        warehouse's company."""
        sources = self.env["stock.location"].union(*(quant.location_id for quant, _qty in to_move))
        source = warehouse.lot_stock_id
        if not all(location._child_of(source) for location in sources):
            source = warehouse.view_location_id
        lots = self.env["stock.lot"].union(*(quant.lot_id for quant, _qty in to_move))
        company = warehouse.company_id
        picking = self.env["stock.picking"].create(
            {
                "company_id": company.id,
                "picking_type_id": warehouse.int_type_id.id,
                "location_id": source.id,
                "location_dest_id": target.id,
                "origin": lots._lot_names(),
            }
        )
        self.env["stock.move"].create(
            [
                {
                    "name": quant.product_id.display_name,
                    "company_id": company.id,
                    "picking_id": picking.id,
                    "product_id": quant.product_id.id,
                    "product_uom": quant.product_uom_id.id,
                    "product_uom_qty": quantity,
                    "location_id": quant.location_id.id,
                    "location_dest_id": target.id,
                    "picked": True,
                    "move_line_ids": [
                        Command.create(
                            {
                                "picking_id": picking.id,
                                "product_id": quant.product_id.id,
                                "product_uom_id": quant.product_uom_id.id,
                                "quantity": quantity,
                                "location_id": quant.location_id.id,
                                "location_dest_id": target.id,
                                "lot_id": quant.lot_id.id,
                                "package_id": quant.package_id.id,
                                "owner_id": quant.owner_id.id,
                                "picked": True,
                            }
                        )
                    ],
                }
                for quant, quantity in to_move
            ]
        )
        return picking
