from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    lot_code = fields.Char(
        size=5,
        help="Short code of the company in lot names (token {company} of lot numbering rules).",
    )
    lot_numbering_rule_id = fields.Many2one(
        "lot.numbering.rule",
        string="Default Lot Numbering",
        help="Rule naming the new lots of the products that have none, neither on the product "
        "nor on its category.",
    )
