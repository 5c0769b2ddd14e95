from collections import defaultdict

from odoo import api, fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    lot_component_layer_ids = fields.Many2many(
        "stock.valuation.layer",
        compute="_compute_lot_production_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Components Consumed",
        help="Valuation layers of the component lots consumed by the manufacturing orders "
        "that produced this lot.",
    )
    lot_component_cost = fields.Monetary(
        compute="_compute_lot_production_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Components",
        currency_field="company_currency_id",
        help="Value of the component lots consumed, from their valuation layers.",
    )
    lot_operation_cost = fields.Monetary(
        compute="_compute_lot_production_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Operations",
        currency_field="company_currency_id",
        help="Time spent on the work orders at the work centers' cost per hour, plus the "
        "orders' extra cost per unit.",
    )
    lot_production_value = fields.Monetary(
        compute="_compute_lot_production_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Production Value",
        currency_field="company_currency_id",
        help="Value at which the lot entered stock when produced (Odoo's manufacturing "
        "valuation: components plus operations, less the share of by-products).",
    )
    lot_production_qty = fields.Float(
        compute="_compute_lot_production_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Quantity Produced",
        digits="Product Unit of Measure",
    )
    lot_production_unit_cost = fields.Monetary(
        compute="_compute_lot_production_cost",
        compute_sudo=True,
        groups="account.group_account_readonly,account.group_account_manager",
        string="Unit Production Cost",
        currency_field="company_currency_id",
    )

    @api.depends("stock_valuation_layer_ids")
    @api.depends_context("company")
    def _compute_lot_production_cost(self):
        productions = self.env["mrp.production"].search(
            [
                ("lot_producing_id", "in", self.ids),
                ("state", "=", "done"),
                ("company_id", "=", self.env.company.id),
            ]
        )
        by_lot = productions.grouped("lot_producing_id")
        moves = productions.move_raw_ids | productions.move_finished_ids
        layers = self.env["stock.valuation.layer"].search(
            [
                ("stock_move_id", "in", moves.ids),
                *self.env["stock.valuation.layer"]._check_company_domain(self.env.company),
            ]
        )
        layers_by_move = layers.grouped("stock_move_id")
        empty = self.env["stock.valuation.layer"]
        for lot in self:
            lot_productions = by_lot.get(lot._origin, self.env["mrp.production"])
            component_layers = empty.concat(
                *(layers_by_move.get(move, empty) for move in lot_productions.move_raw_ids)
            )
            finished_moves = lot_productions.move_finished_ids.filtered(
                lambda m, lot=lot: m.product_id == lot.product_id
            )
            finished_layers = empty.concat(
                *(layers_by_move.get(move, empty) for move in finished_moves)
            ).filtered(lambda layer, lot=lot: not layer.lot_id or layer.lot_id == lot._origin)
            quantity = sum(finished_layers.mapped("quantity"))
            value = sum(finished_layers.mapped("value"))
            operations = lot_productions.workorder_ids._cal_cost() + sum(
                production.extra_cost * production.qty_produced for production in lot_productions
            )
            lot.lot_component_layer_ids = component_layers
            lot.lot_component_cost = -sum(component_layers.mapped("value"))
            lot.lot_operation_cost = operations
            lot.lot_production_value = value
            lot.lot_production_qty = quantity
            lot.lot_production_unit_cost = value / quantity if quantity else 0.0

    def _lot_unit_costs(self):
        """{lot id: unit cost} in the current company: Odoo's cost of the lot when its
        product is valued by lot, else the product's cost."""
        costs = defaultdict(float)
        for lot in self:
            owner = lot.product_id.lot_valuated and lot or lot.product_id
            costs[lot.id] = owner.standard_price
        return costs
