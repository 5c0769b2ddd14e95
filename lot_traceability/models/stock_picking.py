from odoo import models
from odoo.exceptions import UserError

from ..tools import gs1


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def action_apply_gs1_barcode(self, code):
        """Record a scanned GS1 barcode on this transfer.

        The product is the one of the transfer whose GTIN (or packaging GTIN) is in the
        barcode. The barcode fills the first line of that product without a lot, or a new
        line of its move. Return the move line.
        """
        self.ensure_one()
        if self.state in ("done", "cancel"):
            raise UserError(self.env._("The transfer %s is done or cancelled.", self.name))
        lines = self.env["stock.move.line"]
        data = lines._gs1_parse(code)
        if not data.gtin:
            raise UserError(
                self.env._(
                    "The barcode has no GTIN (AI 01) to find the product: scan it in the "
                    "line of the product instead."
                )
            )
        moves = self.move_ids.filtered(
            lambda m: (
                m.state not in ("done", "cancel")
                and (
                    m.product_id._gs1_gtin14() == data.gtin
                    or any(
                        gs1.gtin14_or_none(p.barcode or "") == data.gtin
                        for p in m.product_id.packaging_ids
                    )
                )
            )
        )
        if not moves:
            raise UserError(
                self.env._(
                    "No product of %(picking)s has the GTIN %(gtin)s.",
                    picking=self.name,
                    gtin=data.gtin,
                )
            )
        move = moves[0]
        line = move.move_line_ids.filtered(
            lambda ml: not ml.lot_id and not ml.lot_name and ml.state not in ("done", "cancel")
        )[:1]
        if line:
            line._apply_gs1_barcode(code)
            return line
        line_vals = move._prepare_move_line_vals(quantity=0)
        vals, _warnings = lines.new(line_vals)._gs1_prepare_vals(code)
        return lines.create({**line_vals, "quantity": 0, **vals, "gs1_barcode": code})
