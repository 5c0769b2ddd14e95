from odoo import fields, models


class StockPicking(models.Model):
    """Return transfers created by a recall, linked to it and to its customer."""

    _inherit = "stock.picking"

    lot_recall_id = fields.Many2one(
        "lot.recall",
        string="Recall",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        check_company=True,
    )
    lot_recall_customer_id = fields.Many2one(
        "lot.recall.customer",
        string="Recall Customer",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
    )
