from odoo import api, fields, models

from ..tools import gs1, timezones

GS1_RESOLVER_PARAM = "lot_traceability.gs1_resolver_url"
GS1_RESOLVER_DEFAULT = "https://id.gs1.org"


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
    def _compute_gs1_digital_link(self):
        resolver = self._gs1_resolver_url()
        tzs = self._lot_tzs()
        for lot in self:
            gtin = lot.product_id._gs1_gtin14() if lot.product_id else None
            link = False
            if gtin and lot.name:
                try:
                    link = gs1.digital_link(
                        gtin,
                        lot.name,
                        expiry=timezones.local_date(lot.expiration_date, tzs[lot.id]),
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
            "expiry": timezones.local_date(self.expiration_date, self._lot_tz()),
            "company": self.company_id or self.env.company,
        }
