from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _lot_min_shelf_life_rule(self, partner=None):
        """The record whose minimum remaining shelf life applies to this product when
        delivered to ``partner``: the customer's commercial entity, else the product,
        else its category, else the category's parents; the first level with a rule
        (non-zero value) wins. Returns ``(days, record)``, ``(0.0, None)`` without a rule.
        """
        self.ensure_one()
        product = self.sudo()
        levels = []
        if partner:
            levels.append(partner.sudo().commercial_partner_id)
        levels.append(product.product_tmpl_id)
        categ = product.categ_id
        while categ:
            levels.append(categ)
            categ = categ.parent_id
        for record in levels:
            if record.lot_min_shelf_life > 0:
                return record._lot_shelf_life_days(product.expiration_time), record
        return 0.0, None

    def _lot_min_shelf_life_days(self, partner=None):
        """Minimum remaining shelf life in days for this product delivered to ``partner``
        (see ``_lot_min_shelf_life_rule``); percent rules are a share of the product's
        expiration time. 0.0 when no rule applies."""
        return self._lot_min_shelf_life_rule(partner)[0]
