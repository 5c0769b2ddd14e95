from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    lot_recall_mock_target_hours = fields.Float(
        string="Mock Recall Target (hours)",
        default=4.0,
        help="A mock recall passes when its trace is complete within this time (BRCGS asks "
        "for 4 hours).",
    )
