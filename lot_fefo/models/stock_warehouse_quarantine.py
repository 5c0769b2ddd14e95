from odoo import fields, models


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
