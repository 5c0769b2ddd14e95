from odoo import api, fields, models
from odoo.addons.lot_traceability.tools.protected import code_defaults
from odoo.exceptions import AccessError

RECALL_LINKS = {"lot_recall_id", "lot_recall_customer_id"}


class StockPicking(models.Model):
    """Return transfers created by a recall, linked to it and to its customer."""

    _inherit = "stock.picking"

    lot_recall_id = fields.Many2one(
        "lot.recall",
        string="Recall",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
        check_company=True,
    )
    lot_recall_customer_id = fields.Many2one(
        "lot.recall.customer",
        string="Recall Customer",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get(field) for vals in vals_list for field in RECALL_LINKS):
            self._lot_check_recall_links()
        return super().create(code_defaults(self, vals_list, RECALL_LINKS))

    def write(self, vals):
        if RECALL_LINKS & set(vals):
            self._lot_check_recall_links()
        return super().write(vals)

    def _lot_check_recall_links(self):
        """Only a recall's *Create Returns* links a transfer to the recall and its customer."""
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "A transfer is linked to a recall and its customer only by the recall's "
                    "Create Returns."
                )
            )
