from odoo import fields, models


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "lot.shelf.life.mixin"]

    lot_release_required = fields.Boolean(
        string="Release Required",
        help="New lots of this product (received, produced or created by hand) start in "
        "quarantine: they cannot be reserved, picked, consumed or shipped until a Lot "
        "Quality Manager releases them.",
    )
    # read by mrp.production._lot_set_produced_expiry
    lot_expiry_from_components = fields.Boolean(
        string="Expiry from Components",
        help="Lots made by a manufacturing order expire with the earliest-expiring component "
        "lot they consumed, and never later than this product's own expiration time counted "
        "from the production date. Without it (or when no component lot has an expiration "
        "date), a produced lot expires its expiration time after its production date.",
    )
