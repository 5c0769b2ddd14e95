from odoo import fields, models


class LotRecallDelivery(models.Model):
    """A done delivery move line of an affected lot, found by the scope computation.

    Tens of thousands of them are written per recall, so only what identifies the line
    is stored; picking, product and unit are read from the (immutable) done move line.
    """

    _name = "lot.recall.delivery"
    _description = "Recall Customer Delivery"
    _order = "recall_id, customer_id, date, id"
    _rec_name = "move_line_id"
    _log_access = False

    recall_id = fields.Many2one("lot.recall", required=True, ondelete="cascade", index=True)
    customer_id = fields.Many2one(
        "lot.recall.customer", string="Recall Customer", ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        related="customer_id.partner_id", string="Customer", help="The customer (company)."
    )
    move_line_id = fields.Many2one("stock.move.line", required=True, ondelete="cascade")
    lot_id = fields.Many2one("stock.lot", required=True, ondelete="cascade")
    date = fields.Datetime()
    quantity = fields.Float(
        digits="Product Unit of Measure", help="In the product's unit of measure."
    )
    picking_id = fields.Many2one(related="move_line_id.picking_id", string="Delivery")
    address_id = fields.Many2one(
        related="move_line_id.picking_partner_id",
        string="Delivery Address",
        help="The partner the transfer was sent to.",
    )
    return_move_id = fields.Many2one(
        "stock.move",
        string="Return",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The move of the return transfer the recall created for this delivery.",
    )
    product_id = fields.Many2one(related="move_line_id.product_id")
    uom_id = fields.Many2one(related="move_line_id.product_id.uom_id", string="Unit")
