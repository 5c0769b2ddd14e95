from odoo import api, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "lot_valuated" in vals or vals.get("tracking", "none") == "none":
                continue
            category = self.env["product.category"].browse(vals.get("categ_id"))
            if category.lot_valuated:
                vals["lot_valuated"] = True
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if ("categ_id" in vals or "tracking" in vals) and "lot_valuated" not in vals:
            self._lot_follow_category_valuation()
        return res

    def _lot_follow_category_valuation(self):
        """Value by lot the tracked products moved into (or tracked in) a lot-valued category."""
        to_value = self.filtered(
            lambda t: t.categ_id.lot_valuated and t.tracking != "none" and not t.lot_valuated
        )
        if to_value:
            to_value.write({"lot_valuated": True})
