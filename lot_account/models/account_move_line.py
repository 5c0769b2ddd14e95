from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    lot_cogs_allocation_ids = fields.One2many(
        "lot.cogs.allocation", "invoice_line_id", string="Lots Invoiced"
    )
