from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lot_expired_loss_account_id = fields.Many2one(
        related="company_id.lot_expired_loss_account_id", readonly=False
    )
    lot_recall_cost_account_id = fields.Many2one(
        related="company_id.lot_recall_cost_account_id", readonly=False
    )
