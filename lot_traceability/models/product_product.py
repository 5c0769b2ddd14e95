from odoo import models

from ..tools import gs1


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _gs1_gtin14(self):
        """The product's GTIN as 14 digits when its barcode is a valid GTIN, else None."""
        self.ensure_one()
        return gs1.gtin14_or_none(self.barcode or "")

    def _get_lot_numbering_rule(self, company=None):
        """The lot numbering rule of the product: its own, else its category's (walking up
        the parents), else the company's default. Archived rules and rules of another
        company are skipped. Returns an empty recordset when no rule applies.
        """
        self.ensure_one()
        product = self.sudo()
        company = company or product.company_id or self.env.company
        Rule = self.env["lot.numbering.rule"]

        def usable(rule):
            return rule.active and rule.company_id in (company, company.browse())

        candidates = [product.product_tmpl_id.lot_numbering_rule_id]
        categ = product.categ_id
        while categ:
            candidates.append(categ.lot_numbering_rule_id)
            categ = categ.parent_id
        candidates.append(company.sudo().lot_numbering_rule_id)
        for rule in candidates:
            if rule and usable(rule):
                return Rule.browse(rule.id)
        return Rule
