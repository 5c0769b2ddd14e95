from odoo import api, fields, models
from odoo.osv import expression

from ..tools import expiry


class StockLot(models.Model):
    _inherit = "stock.lot"

    product_expiry_alert = fields.Boolean(search="_search_product_expiry_alert")

    def _lot_fefo_tz(self):
        """Time zone for this lot's expiry: its company's, else the user's company's."""
        self.ensure_one()
        return (self.company_id or self.env.company)._lot_fefo_tz()

    @api.depends("expiration_date")
    def _compute_product_expiry_alert(self):
        """Core's "Expiration date reached", with the suite's definition of expired."""
        now = fields.Datetime.now()
        for lot in self:
            tz = lot._lot_fefo_tz()
            lot.product_expiry_alert = expiry.is_expired(lot.expiration_date, now, tz)

    def _search_product_expiry_alert(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        expired = (operator == "=") == bool(value)
        now = fields.Datetime.now()
        date_operator = "<" if expired else ">="
        groups = [
            [
                ("company_id", "=", company.id),
                (
                    "expiration_date",
                    date_operator,
                    expiry.usable_threshold(now, company._lot_fefo_tz()),
                ),
            ]
            for company in self.env["res.company"].sudo().search([])
        ]
        # lots without a company are read in the current company's time zone
        threshold = expiry.usable_threshold(now, self.env.company._lot_fefo_tz())
        groups.append([("company_id", "=", False), ("expiration_date", date_operator, threshold)])
        if not expired:
            groups.append([("expiration_date", "=", False)])
        return expression.OR(groups)
