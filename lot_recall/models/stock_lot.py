from odoo import api, fields, models


class StockLot(models.Model):
    """Start a recall from lots; see the recalls a lot is part of."""

    _inherit = "stock.lot"

    lot_recall_count = fields.Integer(
        string="Recalls",
        compute="_compute_lot_recall_count",
        groups="lot_recall.group_recall_user",
    )

    def _lot_recalls(self):
        return self.env["lot.recall"].search(
            ["|", ("affected_lot_ids", "in", self.ids), ("scope_lot_ids", "in", self.ids)]
        )

    def _compute_lot_recall_count(self):
        recalls = self._lot_recalls()
        for lot in self:
            lot.lot_recall_count = len(
                recalls.filtered(
                    lambda recall, lot=lot: (
                        lot in recall.affected_lot_ids or lot in recall.scope_lot_ids
                    )
                )
            )

    def action_start_recall(self):
        """Open the dialog starting a recall of these lots."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Start Recall"),
            "res_model": "lot.recall.start",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_ids": self.ids},
        }

    @api.readonly
    def action_view_lot_recalls(self):
        """Recalls in which these lots are recalled or affected."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recalls"),
            "res_model": "lot.recall",
            "view_mode": "list,form",
            "domain": [("id", "in", self._lot_recalls().ids)],
        }

    def action_lot_eu_trace_report(self):
        """EU traceability report (one step back, one step forward) of these lots."""
        return self.env["lot.eu.trace.report"]._open_for_lots(self)
