from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lot_numbering_rule_id = fields.Many2one(
        related="company_id.lot_numbering_rule_id",
        readonly=False,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    company_lot_code = fields.Char(related="company_id.lot_code", readonly=False)
    lot_gs1_company_prefix = fields.Char(
        related="company_id.lot_gs1_company_prefix", readonly=False
    )
    lot_identifier_domain = fields.Char(related="company_id.lot_identifier_domain", readonly=False)
