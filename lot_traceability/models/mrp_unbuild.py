from odoo import models

# Odoo links the lines an unbuild order consumes to the lines it recovers only for
# by-products; link the unbuilt product's lines too, so that the recovered component lots
# are known to come from the unbuilt lot. All moves of an unbuild carry ``unbuild_id``:
# consumed ones go to a production location, recovered ones come from it.
LINK_UNBUILT_LINES_SQL = """
INSERT INTO stock_move_line_consume_rel (produce_line_id, consume_line_id)
SELECT unbuilt.id, recovered.id
  FROM mrp_unbuild unbuild
  JOIN stock_move unbuilt_move ON unbuilt_move.unbuild_id = unbuild.id
                              AND unbuilt_move.product_id = unbuild.product_id
  JOIN stock_location unbuilt_dest ON unbuilt_dest.id = unbuilt_move.location_dest_id
                                  AND unbuilt_dest.usage = 'production'
  JOIN stock_move_line unbuilt ON unbuilt.move_id = unbuilt_move.id AND unbuilt.state = 'done'
  JOIN stock_move recovered_move ON recovered_move.unbuild_id = unbuild.id
  JOIN stock_location recovered_src ON recovered_src.id = recovered_move.location_id
                                   AND recovered_src.usage = 'production'
  JOIN stock_move_line recovered ON recovered.move_id = recovered_move.id
                                AND recovered.state = 'done' AND recovered.quantity > 0
 WHERE unbuild.state = 'done' {where}
ON CONFLICT DO NOTHING
"""


class MrpUnbuild(models.Model):
    _inherit = "mrp.unbuild"

    def action_unbuild(self):
        res = super().action_unbuild()
        self._link_unbuilt_lines()
        return res

    def _link_unbuilt_lines(self):
        """Record that the recovered component lines came from the unbuilt product's lines."""
        self.env.flush_all()
        self.env.cr.execute(
            LINK_UNBUILT_LINES_SQL.format(where="AND unbuild.id = ANY(%s)"), [self.ids]
        )
        self.env["stock.move.line"].invalidate_model(["consume_line_ids", "produce_line_ids"])
