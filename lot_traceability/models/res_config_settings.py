from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lot_numbering_rule_id = fields.Many2one(
        related="company_id.lot_numbering_rule_id",
        readonly=False,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    company_lot_code = fields.Char(related="company_id.lot_code", readonly=False)
