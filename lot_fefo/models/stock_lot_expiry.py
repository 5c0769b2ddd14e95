from odoo import api, fields, models
from odoo.osv import expression

from ..tools import expiry


class StockLot(models.Model):
    _inherit = "stock.lot"

    product_expiry_alert = fields.Boolean(search="_search_product_expiry_alert")

    def _lot_filter_expired(self, now=None):
        """The lots of ``self`` expired at ``now`` (default: now), each read in its time
        zone (``_lot_tzs``), computed only for the lots near the day boundary."""
        now = now or fields.Datetime.now()
        near = self.filtered(
            lambda lot: lot.expiration_date and now - expiry.BOUNDARY <= lot.expiration_date < now
        )
        tzs = near._lot_tzs()
        return self.filtered(
            lambda lot: (
                lot.expiration_date
                and (
                    lot.expiration_date < now - expiry.BOUNDARY
                    or (lot.id in tzs and expiry.is_expired(lot.expiration_date, now, tzs[lot.id]))
                )
            )
        )

    @api.depends("expiration_date")
    def _compute_product_expiry_alert(self):
        """Core's "Expiration date reached", with the suite's definition of expired."""
        expired = set(self._lot_filter_expired()._ids)
        for lot in self:
            lot.product_expiry_alert = lot.id in expired

    def _search_product_expiry_alert(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        expired = (operator == "=") == bool(value)
        now = fields.Datetime.now()
        near = self.search(
            [
                ("expiration_date", ">=", now - expiry.BOUNDARY),
                ("expiration_date", "<", now),
            ]
        )
        near_expired = near._lot_filter_expired(now)
        if expired:
            return expression.OR(
                [
                    [("expiration_date", "<", now - expiry.BOUNDARY)],
                    [("id", "in", near_expired.ids)],
                ]
            )
        return expression.OR(
            [
                [("expiration_date", "=", False)],
                [("expiration_date", ">=", now)],
                [("id", "in", (near - near_expired).ids)],
            ]
        )
