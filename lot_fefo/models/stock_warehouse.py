from odoo import models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    def _lot_fefo_tz(self):
        """Time zone in which this warehouse's expiry dates are read."""
        self.ensure_one()
        return self.partner_id.tz or self.company_id.partner_id.tz or "UTC"
