from odoo import Command, api, fields, models

from ..models.lot_recall import RECALL_CLASSES, RECALL_KINDS


class LotRecallStart(models.TransientModel):
    """Open a recall case for lots chosen on the lot form or in the lot list."""

    _name = "lot.recall.start"
    _description = "Start Recall"

    lot_ids = fields.Many2many("stock.lot", string="Lots", required=True)
    kind = fields.Selection(RECALL_KINDS, required=True, default="recall")
    recall_class = fields.Selection(RECALL_CLASSES, string="Class")
    reason = fields.Text(required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "lot_ids" in fields_list
            and not values.get("lot_ids")
            and context.get("active_model") == "stock.lot"
            and context.get("active_ids")
        ):
            values["lot_ids"] = [Command.set(context["active_ids"])]
        return values

    def action_create_recall(self):
        """Create the recall of the lots (draft, scope by lots) and open it."""
        self.ensure_one()
        recalls = self.env["lot.recall"]
        recalls._check_recall_manager()
        companies = self.lot_ids.company_id
        recall = recalls.create(
            {
                "kind": self.kind,
                "recall_class": self.recall_class,
                "reason": self.reason,
                "user_id": self.user_id.id,
                "scope_type": "lots",
                "scope_lot_ids": [Command.set(self.lot_ids.ids)],
                "company_id": (companies[:1] if len(companies) == 1 else self.env.company).id,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "lot.recall",
            "res_id": recall.id,
            "view_mode": "form",
            "target": "current",
        }
