from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lot_recall_mock_target_hours = fields.Float(
        related="company_id.lot_recall_mock_target_hours", readonly=False
    )
