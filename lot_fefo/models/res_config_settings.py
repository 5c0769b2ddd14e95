from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lot_expiry_alert_horizons = fields.Char(
        related="company_id.lot_expiry_alert_horizons", readonly=False
    )
    lot_expiry_responsible_id = fields.Many2one(
        related="company_id.lot_expiry_responsible_id",
        readonly=False,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    lot_expiry_move_expired = fields.Boolean(
        related="company_id.lot_expiry_move_expired", readonly=False
    )
