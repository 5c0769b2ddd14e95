from odoo import api, fields, models


class MrpBatchProduce(models.TransientModel):
    """*Produce in batch* names the finished lots by the product's numbering rule."""

    _inherit = "mrp.batch.produce"

    def _lot_numbering_rule(self):
        production = self.production_id
        return production.product_id._get_lot_numbering_rule(production.company_id)

    @api.depends("production_id")
    def _compute_lot_name(self):  # pylint: disable=missing-return
        """With a numbering rule, no first name to count up from: the names are drawn
        from the rule when generated."""
        numbered = self.filtered(
            lambda wizard: wizard.production_id and wizard._lot_numbering_rule()
        )
        numbered.lot_name = False
        for wizard in self - numbered:
            # core's compute reads self.production_id: one wizard at a time
            super(MrpBatchProduce, wizard)._compute_lot_name()

    def action_generate_production_text(self):
        """Without a first name, the names come from the product's numbering rule (the
        manufacturing order's lot first, when it has one)."""
        self.ensure_one()
        if self.lot_name or not self._lot_numbering_rule():
            return super().action_generate_production_text()
        production = self.production_id
        names = production.lot_producing_id.mapped("name")[: self.lot_qty]
        # as the lot of a manufacturing order (mrp_production._prepare_stock_lot_values)
        params = {
            "rule_id": self._lot_numbering_rule().id,
            "product_id": production.product_id.id,
            "date": fields.Datetime.to_string(production.date_start),
            "warehouse_id": production.picking_type_id.warehouse_id.id,
            "company_id": production.company_id.id,
        }
        lots = self.env["stock.lot"].with_context(lot_numbering_generate=params)
        names += [
            vals["lot_name"] for vals in lots.generate_lot_names(False, self.lot_qty - len(names))
        ]
        self.production_text = "\n".join(names)
        action = self.env["ir.actions.actions"]._for_xml_id("mrp.action_mrp_batch_produce")
        action["res_id"] = self.id
        return action
