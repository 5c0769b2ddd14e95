from odoo import api, models


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "lot.shelf.life.mixin"]

    @api.model
    def _commercial_fields(self):
        # a contract is agreed with the company: its contacts follow it
        return super()._commercial_fields() + ["lot_min_shelf_life", "lot_min_shelf_life_unit"]
