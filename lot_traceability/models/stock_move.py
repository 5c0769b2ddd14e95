from odoo import api, fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves.move_line_ids._set_lot_origin()
        return moves

    def _lot_numbering_params(self):
        """Context values naming the lots of this move by its product's numbering rule."""
        self.ensure_one()
        picking = self.picking_id
        rule = self.product_id._get_lot_numbering_rule(self.company_id)
        if not rule:
            return {}
        picking_type = self.picking_type_id or picking.picking_type_id
        return {
            "rule_id": rule.id,
            "product_id": self.product_id.id,
            "date": fields.Datetime.to_string(picking.scheduled_date or self.date),
            "warehouse_id": picking_type.warehouse_id.id or self.warehouse_id.id,
            "partner_id": (picking.partner_id or self.partner_id).id,
            "company_id": self.company_id.id,
        }

    def _generate_serial_numbers(self, next_serial, next_serial_count=False, location_id=False):
        if not next_serial:
            params = self._lot_numbering_params()
            if params:
                self = self.with_context(lot_numbering_generate=params)
        return super()._generate_serial_numbers(
            next_serial, next_serial_count=next_serial_count, location_id=location_id
        )

    @api.model
    def action_generate_lot_line_vals(self, context, mode, first_lot, count, lot_text):
        """The "Generate Serials/Lots" dialog: without a first name, use the rule."""
        if mode == "generate" and not first_lot and context.get("default_product_id"):
            params = self._lot_numbering_params_from_dialog(context)
            if params:
                self = self.with_context(lot_numbering_generate=params)
        return super().action_generate_lot_line_vals(context, mode, first_lot, count, lot_text)

    @api.model
    def _lot_numbering_params_from_dialog(self, context):
        product = self.env["product.product"].browse(context["default_product_id"])
        company = self.env["res.company"].browse(context.get("default_company_id"))
        rule = product._get_lot_numbering_rule(company or None)
        if not rule:
            return {}
        picking_id = context.get("default_picking_id")
        picking = self.env["stock.picking"].browse(
            picking_id if isinstance(picking_id, int) else []
        )
        picking_type = picking.picking_type_id or self.env["stock.picking.type"].browse(
            context.get("default_picking_type_id")
        )
        partner = picking.partner_id or self.env["res.partner"].browse(
            context.get("default_partner_id")
        )
        date = picking.scheduled_date or context.get("default_date")
        return {
            "rule_id": rule.id,
            "product_id": product.id,
            "date": fields.Datetime.to_string(fields.Datetime.to_datetime(date)) if date else False,
            "warehouse_id": picking_type.warehouse_id.id,
            "partner_id": partner.id,
            "company_id": (company or picking.company_id).id,
        }
