from odoo import api, models

# Figures of the effectiveness table, added up per product and unit.
_PRODUCT_FIGURES = (
    "base",
    "delivered",
    "returned",
    "destroyed",
    "never_shipped_blocked",
    "recovered",
    "at_customers",
    "unaccounted",
    "in",
)


class LotRecallSummaryReport(models.AbstractModel):
    """Values of the recall summary PDF: figures and timeline computed once per recall."""

    _name = "report.lot_recall.report_recall_summary"
    _description = "Recall Summary Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        recalls = self.env["lot.recall"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "lot.recall",
            "docs": recalls,
            "product_effectiveness": {
                recall.id: self._product_effectiveness(recall) for recall in recalls
            },
            "timeline": {recall.id: recall._timeline() for recall in recalls},
            "kinds": dict(recalls._fields["kind"]._description_selection(self.env)),
            "classes": dict(recalls._fields["recall_class"]._description_selection(self.env)),
            "scope_types": dict(recalls._fields["scope_type"]._description_selection(self.env)),
            "states": dict(recalls._fields["state"]._description_selection(self.env)),
            "statuses": dict(
                self.env["stock.lot"]._fields["lot_status"]._description_selection(self.env)
            ),
            "responses": dict(
                self.env["lot.recall.customer"]._fields["response"]._description_selection(self.env)
            ),
        }

    @api.model
    def _product_effectiveness(self, recall):
        """Effectiveness per product, in the product's unit: quantities of different units
        (kg of flour, units of cakes) are never added up.

        What a customer reports having destroyed on site (at most what it still held) goes
        to the product it received; a customer that received several products does not say
        of which: its quantity is listed apart.

        :return: (rows, unattributed): rows are dicts with ``product``, ``uom``, the figures
            of :data:`_PRODUCT_FIGURES`, ``recovered_percent`` and ``accounted_percent``
            (mass balance: in less unaccounted, over in), by product name;
            unattributed is a list of (customer, quantity)
        """
        totals = {}
        for line in recall.lot_line_ids:
            key = (line.product_id, line.uom_id)
            row = totals.setdefault(key, dict.fromkeys(_PRODUCT_FIGURES, 0.0))
            row["base"] += line.qty_base
            row["delivered"] += line.qty_delivered
            row["returned"] += line.qty_returned
            row["destroyed"] += line.qty_destroyed
            row["never_shipped_blocked"] += line.qty_never_shipped_blocked
            row["recovered"] += line.qty_recovered
            row["at_customers"] += max(0.0, line.qty_delivered - line.qty_returned)
            row["unaccounted"] += line.qty_unaccounted
            row["in"] += line.qty_in
        unattributed = []
        for customer in recall.customer_ids:
            destroyed = min(
                customer.destroyed_quantity,
                max(0.0, customer.delivered_quantity - customer.returned_quantity),
            )
            if not destroyed:
                continue
            products = customer.delivery_line_ids.mapped(lambda d: (d.product_id, d.uom_id))
            if len(set(products)) != 1 or products[0] not in totals:
                unattributed.append((customer.partner_id, destroyed))
                continue
            row = totals[products[0]]
            row["destroyed"] += destroyed
            row["recovered"] += destroyed
            row["at_customers"] = max(0.0, row["at_customers"] - destroyed)
        rows = []
        for (product, uom), row in totals.items():
            row.update(
                product=product,
                uom=uom,
                recovered_percent=100.0 * row["recovered"] / row["base"] if row["base"] else 0.0,
                accounted_percent=100.0 * (row["in"] - row["unaccounted"]) / row["in"]
                if row["in"]
                else 0.0,
            )
            rows.append(row)
        rows.sort(key=lambda row: (row["product"].display_name, row["uom"].name))
        return rows, unattributed
