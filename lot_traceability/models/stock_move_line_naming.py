from odoo import api, models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._lot_numbering_propose_name(vals)
        return super().create(vals_list)

    @api.model
    def _lot_numbering_propose_name(self, vals):
        """On receipts that create lots, name the lot of a new line from the product's rule.

        Only lines actually created get a number (the lines of an unsaved form do not). The
        date is the receipt's scheduled date, the vendor its partner and the warehouse its
        operation type's. Returns of deliveries keep their lots and are left alone.
        """
        if vals.get("lot_id") or vals.get("lot_name") or not vals.get("product_id"):
            return
        move = self.env["stock.move"].browse(vals.get("move_id"))
        picking = move.picking_id or self.env["stock.picking"].browse(vals.get("picking_id"))
        picking_type = move.picking_type_id or picking.picking_type_id
        if (
            picking_type.code != "incoming"
            or not picking_type.use_create_lots
            or move.origin_returned_move_id
            or picking.state == "done"
        ):
            return
        product = self.env["product.product"].browse(vals["product_id"])
        if product.tracking == "none":
            return
        company = move.company_id or picking.company_id or None
        rule = product._get_lot_numbering_rule(company)
        if not rule:
            return
        vals["lot_name"] = rule._next_lot_name(
            product,
            date=picking.scheduled_date or move.date,
            warehouse=picking_type.warehouse_id,
            partner=picking.partner_id or move.partner_id,
            company=company,
        )
