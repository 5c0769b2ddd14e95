from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    lot_expiry_from_components = fields.Boolean(
        string="Expiry from Components",
        help="Lots made by a manufacturing order expire with the earliest-expiring component "
        "lot they consumed, and never later than this product's own expiration time counted "
        "from the production date. Without it (or when no component lot has an expiration "
        "date), a produced lot expires its expiration time after its production date.",
    )
