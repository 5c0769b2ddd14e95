from odoo import fields, models


class LotNumberingRuleSequence(models.Model):
    _name = "lot.numbering.rule.sequence"
    _description = "Lot Numbering Counter per Product"
    _order = "rule_id, product_id"

    rule_id = fields.Many2one(
        "lot.numbering.rule", required=True, ondelete="cascade", index=True, readonly=True
    )
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", index=True, readonly=True
    )
    sequence_id = fields.Many2one("ir.sequence", required=True, ondelete="cascade", readonly=True)
    number_next_actual = fields.Integer(
        related="sequence_id.number_next_actual", string="Next Number (without restart)"
    )

    _sql_constraints = [
        (
            "rule_product_uniq",
            "unique(rule_id, product_id)",
            "A product has only one counter per lot numbering rule.",
        ),
    ]
