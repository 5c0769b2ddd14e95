from collections import defaultdict

from odoo import api, fields, models


class LotRecall(models.Model):
    _inherit = "lot.recall"

    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    lot_write_off_move_ids = fields.One2many(
        "account.move",
        "lot_recall_id",
        string="Write-off Entries",
        groups="account.group_account_readonly,account.group_account_manager",
    )
    lot_write_off_count = fields.Integer(
        compute="_compute_lot_recall_cost",
        compute_sudo=True,
        string="Write-off Entries Count",
        groups="account.group_account_readonly,account.group_account_manager",
    )
    lot_write_off_cost = fields.Monetary(
        compute="_compute_lot_recall_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Stock Written Off",
        currency_field="company_currency_id",
        help="Recalled stock scrapped, at cost: posted journal entries of the recall.",
    )
    lot_credit_note_amount = fields.Monetary(
        compute="_compute_lot_recall_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Credit Notes",
        currency_field="company_currency_id",
        help="Revenue credited to customers for the affected lots since the recall started "
        "(credit notes of the sales order lines that delivered them, without taxes).",
    )
    lot_recall_cost = fields.Monetary(
        compute="_compute_lot_recall_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Total Recall Cost",
        currency_field="company_currency_id",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("lot_write_off_move_ids") for vals in vals_list):
            self.env["account.move"]._lot_check_recall_link()
        return super().create(vals_list)

    def write(self, vals):
        if "lot_write_off_move_ids" in vals:
            self.env["account.move"]._lot_check_recall_link()
        return super().write(vals)

    @api.depends("lot_write_off_move_ids.state", "affected_lot_ids", "delivery_line_ids")
    def _compute_lot_recall_cost(self):
        written_off = defaultdict(float)
        entries = defaultdict(set)
        lines = self.env["account.move.line"].search(
            [
                ("move_id.lot_recall_id", "in", self.ids),
                ("parent_state", "=", "posted"),
                ("balance", ">", 0),
            ]
        )
        for line in lines:
            written_off[line.move_id.lot_recall_id.id] += line.balance
            entries[line.move_id.lot_recall_id.id].add(line.move_id.id)
        for recall in self:
            credited = -sum(row.revenue for row in recall._lot_credit_note_rows())
            recall.lot_write_off_count = len(entries[recall.id])
            recall.lot_write_off_cost = written_off[recall.id]
            recall.lot_credit_note_amount = credited
            recall.lot_recall_cost = written_off[recall.id] + credited

    def _lot_credit_note_rows(self):
        """COGS-by-lot rows of the credit notes crediting the affected lots on the sales
        order lines that delivered them, dated from the recall's start."""
        self.ensure_one()
        sale_lines = self.delivery_line_ids.move_line_id.move_id.sale_line_id
        if not sale_lines or not self.affected_lot_ids:
            return self.env["lot.cogs.report"]
        return self.env["lot.cogs.report"].search(
            [
                ("move_type", "=", "out_refund"),
                ("company_id", "=", self.company_id.id),
                ("sale_line_id", "in", sale_lines.ids),
                ("lot_id", "in", self.affected_lot_ids.ids),
                ("date", ">=", fields.Date.to_date(self.date_started)),
            ]
        )

    def action_view_lot_write_offs(self):
        """The journal entries writing off the recalled stock."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write-offs of %s", self.name),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("lot_recall_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_view_lot_credit_notes(self):
        """The credit notes of the affected lots, by lot."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("lot_account.action_lot_cogs_report")
        action.update(
            name=self.env._("Credit Notes of %s", self.name),
            domain=[("id", "in", self._lot_credit_note_rows().ids)],
            context={"group_by": ["move_id"]},
        )
        return action
