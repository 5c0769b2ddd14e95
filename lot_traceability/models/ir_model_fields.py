from odoo import models

from .stock_move_line import empty_order_inputs


class IrModelFields(models.Model):
    """Keep the move lines' trace inputs in step when a module linking moves to orders
    (``sale_stock``, ``purchase_stock``) is uninstalled and its field dropped."""

    _inherit = "ir.model.fields"

    def _drop_column(self):
        for field in self:
            if field.model == "stock.move" and field.store:
                empty_order_inputs(self.env.cr, field.name)
        return super()._drop_column()
