from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    lot_release_required = fields.Boolean(
        string="Release Required",
        help="New lots of this product (received, produced or created by hand) start in "
        "quarantine: they cannot be reserved, picked, consumed or shipped until a Lot "
        "Quality Manager releases them.",
    )
