from odoo import api, fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    lot_valuated = fields.Boolean(
        string="Valuation by Lot",
        help="Value the stock of the lot-tracked products of this category lot by lot "
        "(Odoo's 'Valuation by Lot/Serial number' on the product). Checking or unchecking it "
        "sets every such product of the category and every new one; Odoo then revalues their "
        "stock on hand lot by lot, with journal entries in automated valuation.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        categories = super().create(vals_list)
        categories.filtered("lot_valuated")._lot_apply_valuation()
        return categories

    def write(self, vals):
        res = super().write(vals)
        if "lot_valuated" in vals:
            self._lot_apply_valuation()
        return res

    def _lot_apply_valuation(self):
        """Set Odoo's lot valuation of the category's tracked products to the category's."""
        templates = self.env["product.template"].with_context(active_test=False)
        for valuated in (True, False):
            categories = self.filtered(lambda c, valuated=valuated: c.lot_valuated == valuated)
            if not categories:
                continue
            to_change = templates.search(
                [
                    ("categ_id", "in", categories.ids),
                    ("tracking", "!=", "none"),
                    ("lot_valuated", "!=", valuated),
                ]
            )
            # Odoo's product write empties and refills the valued stock lot by lot.
            to_change.write({"lot_valuated": valuated})
