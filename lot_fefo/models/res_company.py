from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _lot_fefo_tz(self):
        """Time zone in which lot-level expiry is read when no warehouse is involved."""
        self.ensure_one()
        return self.partner_id.tz or "UTC"
