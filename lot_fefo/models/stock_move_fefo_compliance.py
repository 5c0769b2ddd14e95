from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        """Record the deliveries that shipped a later-expiring lot than one on hand."""
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        self.env["lot.fefo.compliance.report"]._lot_fefo_check_deliveries(moves.move_line_ids)
        return moves
