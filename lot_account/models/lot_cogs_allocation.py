from collections import defaultdict

from odoo import api, fields, models

# Below this quantity (in the product's unit) a pool of lots counts as empty.
QTY_EPSILON = 1e-9


class LotCogsAllocation(models.Model):
    """The lots a posted customer invoice or credit note line is matched with.

    Each product line of a posted customer invoice linked to a sales order line is matched,
    when it is posted, with the lots delivered on that sales order line and not invoiced
    yet, in proportion to their quantities not invoiced yet: the same rule as Odoo's
    anglo-saxon cost of goods sold, which values an invoice at the average cost of the
    delivered quantities not invoiced yet. A credit note line is matched first with the
    lots returned and still invoiced, then with the lots invoiced (a credit without a
    return). Quantities that cannot be matched (invoiced before delivery, product without
    lots) get a row without lot. ``lot.cogs.report`` reads these rows.
    """

    _name = "lot.cogs.allocation"
    _description = "Invoiced Quantity by Lot"
    _order = "invoice_line_id, id"

    invoice_line_id = fields.Many2one(
        "account.move.line", required=True, ondelete="cascade", index=True
    )
    sale_line_id = fields.Many2one("sale.order.line", required=True, ondelete="cascade", index=True)
    lot_id = fields.Many2one("stock.lot", ondelete="restrict", index=True)
    company_id = fields.Many2one("res.company", required=True)
    quantity = fields.Float(
        help="In the product's unit: positive when invoiced, negative when credited. Not "
        "rounded, so that the lots of a line add up to its quantity exactly."
    )
    unit_cost = fields.Float(
        help="Cost of one unit of the lot delivered on the sales order line, from the "
        "valuation layers of the deliveries."
    )

    @api.model
    def _allocate_posted_invoices(self):
        """Match the posted customer invoices and credit notes not matched yet, oldest first
        (at installation: those posted before, with what their order lines delivered)."""
        lines = self.env["account.move.line"].search(
            [
                ("lot_cogs_allocation_ids", "=", False),
                ("move_id.state", "=", "posted"),
                ("move_id.move_type", "in", ("out_invoice", "out_refund")),
                ("display_type", "=", "product"),
                ("sale_line_ids", "!=", False),
                ("product_id.is_storable", "=", True),
            ]
        )
        self._allocate(lines)

    @api.model
    def _allocate(self, invoice_lines):
        """(Re)match these posted invoice lines with lots, in posting order."""
        invoice_lines = invoice_lines.filtered(
            lambda line: (
                line.move_id.state == "posted"
                and line.move_id.move_type in ("out_invoice", "out_refund")
                and line.display_type == "product"
                and line.sale_line_ids
                and line.product_id.is_storable
            )
        ).sorted(lambda line: (line.move_id.date, line.move_id.id, line.id))
        if not invoice_lines:
            return self.browse()
        self.sudo().search([("invoice_line_id", "in", invoice_lines.ids)]).unlink()
        sale_lines = invoice_lines.mapped(lambda line: line.sale_line_ids[-1])
        delivered, costs = self._delivered_by_lot(sale_lines)
        invoiced = self._invoiced_by_lot(sale_lines)
        vals_list = []
        for line in invoice_lines:
            sale_line = line.sale_line_ids[-1]
            product = line.product_id
            quantity = line.product_uom_id._compute_quantity(
                line.quantity, product.uom_id, round=False
            )
            if line.move_id.move_type == "out_refund":
                quantity = -quantity
            shares = self._shares(quantity, delivered[sale_line.id], invoiced[sale_line.id])
            default_cost = product.with_company(line.company_id).standard_price
            for lot_id, share in shares.items():
                if abs(share) <= QTY_EPSILON:
                    continue
                invoiced[sale_line.id][lot_id] += share
                vals_list.append(
                    {
                        "invoice_line_id": line.id,
                        "sale_line_id": sale_line.id,
                        "lot_id": lot_id,
                        "company_id": line.company_id.id,
                        "quantity": share,
                        "unit_cost": costs[sale_line.id].get(lot_id, default_cost),
                    }
                )
        return self.sudo().create(vals_list)

    @api.model
    def _shares(self, quantity, delivered, invoiced):
        """Split a signed quantity over lots: {lot_id or False: signed quantity}.

        Invoiced quantities go to the lots delivered and not invoiced yet; credited ones to
        the lots returned and still invoiced, then to the lots invoiced; each in proportion
        to what is left on the lots. The rest goes to ``False`` (no lot).
        """
        shares = defaultdict(float)
        left = abs(quantity)
        lots = set(delivered) | set(invoiced)

        def still_invoiced(lot):
            return invoiced[lot] + shares[lot]

        if quantity > 0:
            sign = 1
            pools = [lambda lot: delivered[lot] - still_invoiced(lot)]
        else:
            sign = -1
            pools = [lambda lot: still_invoiced(lot) - delivered[lot], still_invoiced]
        for pool in pools:
            left_by_lot = {lot: pool(lot) for lot in lots}
            left_by_lot = {lot: qty for lot, qty in left_by_lot.items() if qty > QTY_EPSILON}
            total = sum(left_by_lot.values())
            if left <= QTY_EPSILON or total <= QTY_EPSILON:
                continue
            taken = min(left, total)
            for lot, qty in left_by_lot.items():
                shares[lot] += sign * taken * qty / total
            left -= taken
        if left > QTY_EPSILON:
            shares[False] += sign * left
        return shares

    @api.model
    def _delivered_by_lot(self, sale_lines):
        """Net delivered quantity and delivery unit cost by lot, per sales order line.

        Returns ``({sale_line_id: {lot_id or False: quantity}}, {sale_line_id: {lot_id or
        False: unit cost}})``. Deliveries add, customer returns subtract; the unit cost comes
        from the deliveries' valuation layers of the lot, or of the whole delivery move when
        the product is not valued by lot.
        """
        delivered = defaultdict(lambda: defaultdict(float))
        costs = defaultdict(dict)
        moves = (
            self.env["stock.move"]
            .sudo()
            .search([("sale_line_id", "in", sale_lines.ids), ("state", "=", "done")])
        )
        moves = moves.filtered(
            lambda move: (
                (move.location_id.usage == "customer")
                != (move.location_dest_id.usage == "customer")
            )
        )
        if not moves:
            return delivered, costs
        layer_groups = (
            self.env["stock.valuation.layer"]
            .sudo()
            ._read_group(
                [("stock_move_id", "in", moves.ids), ("quantity", "<=", 0)],
                ["stock_move_id", "lot_id"],
                ["value:sum", "quantity:sum"],
            )
        )
        layer_cost = defaultdict(lambda: [0.0, 0.0])
        for move, lot, value, qty in layer_groups:
            for key in ((move.id, lot.id), (move.id, None)):
                layer_cost[key][0] += value
                layer_cost[key][1] += qty
        line_groups = (
            self.env["stock.move.line"]
            .sudo()
            ._read_group(
                [("move_id", "in", moves.ids)],
                ["move_id", "lot_id"],
                ["quantity_product_uom:sum"],
            )
        )
        cost_sums = defaultdict(lambda: [0.0, 0.0])
        for move, lot, qty in line_groups:
            sale_line_id = move.sale_line_id.id
            lot_id = lot.id or False
            if move.location_dest_id.usage == "customer":
                delivered[sale_line_id][lot_id] += qty
                value, valued_qty = layer_cost.get((move.id, lot.id)) or layer_cost.get(
                    (move.id, None), (0.0, 0.0)
                )
                if valued_qty:
                    cost_sums[sale_line_id, lot_id][0] += qty * value / valued_qty
                    cost_sums[sale_line_id, lot_id][1] += qty
            else:
                delivered[sale_line_id][lot_id] -= qty
        for (sale_line_id, lot_id), (value, qty) in cost_sums.items():
            costs[sale_line_id][lot_id] = value / qty
        return delivered, costs

    @api.model
    def _invoiced_by_lot(self, sale_lines):
        """Signed quantities already matched by lot, per sales order line (posted only)."""
        invoiced = defaultdict(lambda: defaultdict(float))
        groups = self.sudo()._read_group(
            [
                ("sale_line_id", "in", sale_lines.ids),
                ("invoice_line_id.parent_state", "=", "posted"),
            ],
            ["sale_line_id", "lot_id"],
            ["quantity:sum"],
        )
        for sale_line, lot, qty in groups:
            invoiced[sale_line.id][lot.id or False] += qty
        return invoiced
