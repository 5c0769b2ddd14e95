from odoo import api, fields, models


class LotTraceLine(models.TransientModel):
    _inherit = "lot.trace.line"

    unit_cost = fields.Float(
        compute="_compute_lot_cost",
        store=True,
        digits="Product Price",
        groups="account.group_account_readonly,account.group_account_manager",
        help="Cost of one unit of the lot (Odoo's lot cost when valued by lot, else the "
        "product's cost); for a manufactured lot, the cost of the component lots it "
        "consumed plus operations.",
    )
    value = fields.Float(
        compute="_compute_lot_cost",
        store=True,
        digits="Product Price",
        groups="account.group_account_readonly,account.group_account_manager",
        help="The quantity of the line at the unit cost of its lot (for a transformation, "
        "of the component lot consumed).",
    )

    @api.depends("lot_id", "related_lot_id", "quantity", "kind", "trace_id.direction")
    def _compute_lot_cost(self):
        costs = (self.lot_id | self.related_lot_id)._lot_unit_costs()
        for line in self:
            quantity_lot = line.lot_id
            if line.kind == "transformation" and line.trace_id.direction == "downstream":
                quantity_lot = line.related_lot_id
            line.unit_cost = costs[line.lot_id.id]
            line.value = line.quantity * costs[quantity_lot.id]
