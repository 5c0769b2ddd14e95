import datetime

import pytz
from odoo import api, fields, models

from ..tools import gs1

GS1_RESOLVER_PARAM = "lot_traceability.gs1_resolver_url"
GS1_RESOLVER_DEFAULT = "https://id.gs1.org"


def gs1_local_date(record, value):
    """The calendar date of a UTC datetime in the user's time zone (a date is kept)."""
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return fields.Datetime.context_timestamp(record, value).date()
    return value


def gs1_date_to_datetime(record, date):
    """UTC naive datetime of midnight of ``date`` in the user's time zone.

    Expiry dates read from labels are days; Odoo stores them as datetimes, so they are
    stored at the start of that day for the user, and shown back as the same day.
    """
    tz_name = record.env.context.get("tz") or record.env.user.tz or "UTC"
    try:
        tz = pytz.timezone(tz_name)
    except pytz.UnknownTimeZoneError:
        tz = pytz.utc
    local = tz.localize(datetime.datetime.combine(date, datetime.time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _gs1_gtin14(self):
        """The product's GTIN as 14 digits when its barcode is a valid GTIN, else None."""
        self.ensure_one()
        return gs1.gtin14_or_none(self.barcode or "")


class StockLot(models.Model):
    _inherit = "stock.lot"

    gs1_digital_link = fields.Char(
        string="GS1 Digital Link",
        compute="_compute_gs1_digital_link",
        help="Web address of this lot in GS1 Digital Link form (GTIN, lot and expiry "
        "date), printed as the QR code of the GS1 lot label. Empty when the product's "
        "barcode is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit), "
        "because a Digital Link needs a GTIN, or when the lot number has characters GS1 "
        "does not allow. The resolver is set by the system parameter "
        f"'{GS1_RESOLVER_PARAM}' (default {GS1_RESOLVER_DEFAULT}).",
    )

    @api.model
    def _gs1_resolver_url(self):
        return (
            self.env["ir.config_parameter"].sudo().get_param(GS1_RESOLVER_PARAM)
            or GS1_RESOLVER_DEFAULT
        )

    @api.depends("name", "product_id.barcode", "expiration_date")
    @api.depends_context("tz")
    def _compute_gs1_digital_link(self):
        resolver = self._gs1_resolver_url()
        for lot in self:
            gtin = lot.product_id._gs1_gtin14() if lot.product_id else None
            link = False
            if gtin and lot.name:
                try:
                    link = gs1.digital_link(
                        gtin,
                        lot.name,
                        expiry=gs1_local_date(lot, lot.expiration_date),
                        base_url=resolver,
                    )
                except gs1.GS1Error:
                    link = False
            lot.gs1_digital_link = link

    def _gs1_label_values(self):
        """Values of a GS1 lot label for this lot (see the lot label report)."""
        self.ensure_one()
        return {
            "product": self.product_id,
            "lot_name": self.name,
            "production_date": self.production_date or None,
            "expiry": gs1_local_date(self, self.expiration_date),
            "company": self.company_id or self.env.company,
        }
