from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    lot_numbering_rule_id = fields.Many2one(
        "lot.numbering.rule",
        string="Lot Numbering",
        help="Rule naming the new lots of this product. When empty, the rule of the product "
        "category (or of its parents) applies, then the company's default rule.",
    )
