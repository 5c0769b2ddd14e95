from odoo import api, fields, models
from odoo.addons.lot_traceability.tools.protected import code_defaults
from odoo.exceptions import AccessError


class AccountMove(models.Model):
    _inherit = "account.move"

    lot_recall_id = fields.Many2one(
        "lot.recall",
        string="Recall",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The recall whose recalled stock this entry writes off.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("lot_recall_id") for vals in vals_list):
            self._lot_check_recall_link()
        return super().create(code_defaults(self, vals_list, {"lot_recall_id"}))

    def write(self, vals):
        if "lot_recall_id" in vals:
            self._lot_check_recall_link()
        return super().write(vals)

    def _lot_check_recall_link(self):
        """Only the scrap of recalled lots links its write-off entry to the recall."""
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "A journal entry is linked to a recall only by scrapping the recalled lots."
                )
            )

    def _post(self, soft=True):
        posted = super()._post(soft)
        sale_documents = posted.filtered(
            lambda move: move.move_type in ("out_invoice", "out_refund")
        )
        if sale_documents:
            self.env["lot.cogs.allocation"]._allocate(sale_documents.invoice_line_ids)
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._lot_cogs_unallocate()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._lot_cogs_unallocate()
        return res

    def _lot_cogs_unallocate(self):
        self.env["lot.cogs.allocation"].sudo().search(
            [("invoice_line_id", "in", self.line_ids.ids)]
        ).unlink()
