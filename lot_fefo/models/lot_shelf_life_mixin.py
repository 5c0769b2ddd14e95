from odoo import api, fields, models
from odoo.exceptions import ValidationError

SHELF_LIFE_UNITS = [
    ("days", "Days"),
    ("percent", "% of shelf life"),
]


class LotShelfLifeMixin(models.AbstractModel):
    """Minimum remaining shelf life a lot must have when it is delivered or consumed.

    Shared by customers, products and product categories; zero means "no rule here",
    so the next, less specific level applies.
    """

    _name = "lot.shelf.life.mixin"
    _description = "Minimum remaining shelf life rule"

    lot_min_shelf_life = fields.Float(
        string="Minimum Remaining Shelf Life",
        digits=(16, 2),
        help="Lots with less shelf life left on the scheduled date of the delivery (or of the "
        "manufacturing order) are not reserved. In days, or in percent of the product's total "
        "shelf life (its expiration time). 0 means no rule at this level.",
    )
    lot_min_shelf_life_unit = fields.Selection(
        SHELF_LIFE_UNITS,
        string="Shelf Life Unit",
        default="days",
        required=True,
    )

    @api.constrains("lot_min_shelf_life", "lot_min_shelf_life_unit")
    def _check_lot_min_shelf_life(self):
        for record in self:
            if record.lot_min_shelf_life < 0:
                raise ValidationError(
                    self.env._(
                        "The minimum remaining shelf life of %(name)s cannot be negative.",
                        name=record.display_name,
                    )
                )
            if record.lot_min_shelf_life_unit == "percent" and record.lot_min_shelf_life > 100:
                raise ValidationError(
                    self.env._(
                        "The minimum remaining shelf life of %(name)s cannot exceed 100 %% "
                        "of the shelf life.",
                        name=record.display_name,
                    )
                )

    def _lot_shelf_life_days(self, expiration_time):
        """This record's rule in days for a product whose total shelf life is
        ``expiration_time`` days (percent rules are a share of it); 0.0 without a rule."""
        self.ensure_one()
        if self.lot_min_shelf_life_unit == "percent":
            return self.lot_min_shelf_life * (expiration_time or 0) / 100.0
        return self.lot_min_shelf_life

    def _lot_shelf_life_label(self):
        """The rule as users read it: "10 days" or "30 % of shelf life"."""
        self.ensure_one()
        value = f"{self.lot_min_shelf_life:g}"
        if self.lot_min_shelf_life_unit == "percent":
            return self.env._("%(value)s %% of shelf life", value=value)
        return self.env._("%(value)s days", value=value)
