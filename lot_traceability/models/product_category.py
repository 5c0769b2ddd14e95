from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    lot_code = fields.Char(
        size=5,
        help="Short code of the category in lot names (token {categ} of lot numbering rules). "
        "Subcategories without a code use their parent's.",
    )
    lot_numbering_rule_id = fields.Many2one(
        "lot.numbering.rule",
        string="Lot Numbering",
        help="Rule naming the new lots of the products of this category (and of its "
        "subcategories) that have no rule of their own.",
    )
