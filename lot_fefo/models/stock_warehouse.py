from odoo import api, fields, models
from odoo.exceptions import ValidationError


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    lot_quarantine_location_id = fields.Many2one(
        "stock.location",
        string="Quarantine Location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', id)]",
        help="Where the stock of lots blocked or recalled with 'Move to quarantine' goes. "
        "A location outside the warehouse's stock location keeps that stock out of "
        "reservations even once the lot is released.",
    )
    lot_expiry_location_id = fields.Many2one(
        "stock.location",
        string="Expiry Location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', id)]",
        help="Internal location of this warehouse receiving the stock of lots when they "
        "expire (setting Move Expired Stock). The stock stays on hand, unreservable, "
        "until it is scrapped.",
    )

    @api.constrains("lot_expiry_location_id")
    def _check_lot_expiry_location_id(self):
        for warehouse in self:
            location = warehouse.lot_expiry_location_id
            if location and (location.usage != "internal" or location.warehouse_id != warehouse):
                raise ValidationError(
                    self.env._(
                        "The expiry location of warehouse %(warehouse)s must be an internal "
                        "location of that warehouse; %(location)s is not.",
                        warehouse=warehouse.name,
                        location=location.display_name,
                    )
                )
