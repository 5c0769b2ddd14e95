from odoo import fields, models
from odoo.tools.sql import create_index

from ..tools import timezones


class StockMoveLine(models.Model):
    """Carry lot attributes from receipts and manufacturing orders onto the lots."""

    _inherit = "stock.move.line"

    production_date = fields.Date(
        help="Production date of a lot created by this line (e.g. from a GS1 AI 11).",
    )
    supplier_lot = fields.Char(
        help="The supplier's lot number, copied onto the lot when the line is done.",
    )
    lot_packaging_date = fields.Date(
        string="Packaging Date",
        help="Packaging date of a lot created by this line (e.g. from a GS1 AI 13).",
    )
    lot_use_date = fields.Datetime(
        string="Best Before Date",
        help="Best before date of a lot created by this line (e.g. from a GS1 AI 15).",
    )

    def _lot_tz(self):
        """Time zone in which the dates of this line's lot are read: the warehouse of its
        destination, else of its source, else its company's (``tools.timezones``)."""
        self.ensure_one()
        warehouse = self.location_dest_id.warehouse_id or self.location_id.warehouse_id
        if warehouse:
            return timezones.warehouse_tz(warehouse)
        return timezones.company_tz(self.company_id or self.move_id.company_id or self.env.company)

    def _prepare_new_lot_vals(self):
        vals = super()._prepare_new_lot_vals()
        if self.production_date:
            vals["production_date"] = self.production_date
        if self.lot_packaging_date:
            vals["lot_packaging_date"] = self.lot_packaging_date
        if self.lot_use_date:
            vals["use_date"] = self.lot_use_date
        if self.supplier_lot:
            vals["supplier_lot"] = self.supplier_lot
        return vals

    def _set_lot_origin(self):
        """Fill the empty origin attributes of the lots these done lines received or produced.

        Receipts from a vendor location give supplier, country and receipt date; finished
        lines of a manufacturing order give the production date. Values already set on a
        lot (the first receipt, or what the user typed) are kept.
        """
        lots_by_vals = {}
        for line in self.filtered(lambda ml: ml.state == "done" and ml.lot_id):
            lot = line.lot_id
            vals = {}
            if line.supplier_lot and not lot.supplier_lot:
                vals["supplier_lot"] = line.supplier_lot
            if line.location_id.usage == "supplier":
                partner = line.picking_id.partner_id.commercial_partner_id
                if not lot.supplier_id and partner:
                    vals["supplier_id"] = partner.id
                if not lot.origin_country_id and partner.country_id:
                    vals["origin_country_id"] = partner.country_id.id
                if not lot.receipt_date:
                    vals["receipt_date"] = line.date
            elif line.move_id.production_id and not lot.production_date:
                vals["production_date"] = timezones.local_date(line.date, line._lot_tz())
            if vals:
                key = tuple(sorted(vals.items()))
                lots_by_vals[key] = lots_by_vals.get(key, lot.browse()) | lot
        for vals, lots in lots_by_vals.items():
            lots.write(dict(vals))

    def init(self):
        res = super().init()
        # Genealogy and mass balance read the done lines of given lots; core has no lot index.
        # With company and id in it, the genealogy walk reads the index alone.
        self.env.cr.execute("DROP INDEX IF EXISTS stock_move_line_done_lot_id_index")
        create_index(
            self.env.cr,
            "stock_move_line_done_lot_index",
            self._table,
            ["lot_id", "company_id", "id"],
            where="state = 'done' AND lot_id IS NOT NULL",
        )
        return res
