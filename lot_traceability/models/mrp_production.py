from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _prepare_stock_lot_values(self):
        """Name the finished lot by the product's numbering rule, dated by the MO's start.

        Without a rule, core's numbering is kept. With a rule, core's name (a number of the
        'stock.lot.serial' sequence) is not drawn at all.
        """
        self.ensure_one()
        rule = self.product_id._get_lot_numbering_rule(self.company_id)
        if not rule:
            return super()._prepare_stock_lot_values()
        return {
            "product_id": self.product_id.id,
            "name": rule._next_lot_name(
                self.product_id,
                date=self.date_start,
                warehouse=self.picking_type_id.warehouse_id,
                company=self.company_id,
            ),
        }
