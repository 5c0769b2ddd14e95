from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

# removal methods of the suite (product.removal records in data/product_removal_data.xml)
FEWEST_LOTS = "fefo_fewest_lots"
FMFO = "fmfo"
BY_PACKAGE = "fefo_package"
SUITE_METHODS = (FEWEST_LOTS, FMFO, BY_PACKAGE)
# the longest window of "FEFO, fewest lots", in days
MAX_WINDOW_DAYS = 365


class ProductRemoval(models.Model):
    _inherit = "product.removal"

    # per company: an inventory administrator sets it for the companies they work in
    lot_fefo_window_days = fields.Integer(
        string="Window (Days)",
        company_dependent=True,
        help="FEFO, fewest lots: only lots expiring at most this many days after the "
        "earliest-expiring usable lot are chosen from, so that no earlier lot is left to "
        "age out. Set per company.",
    )

    @api.constrains("lot_fefo_window_days")
    def _check_lot_fefo_window_days(self):
        for removal in self:
            if not 0 <= removal.lot_fefo_window_days <= MAX_WINDOW_DAYS:
                raise ValidationError(
                    self.env._(
                        "The window of a removal strategy must be between 0 and %(max)s days.",
                        max=MAX_WINDOW_DAYS,
                    )
                )

    def write(self, vals):
        # inventory administrators may set their company's window, only system
        # administrators the name and method that every company's reservations rely on
        if set(vals) - {"lot_fefo_window_days"} and not self.env.is_system():
            raise AccessError(
                self.env._(
                    "Only administrators can change the name or method of a removal strategy."
                )
            )
        return super().write(vals)
