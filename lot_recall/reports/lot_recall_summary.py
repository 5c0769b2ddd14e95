from odoo import api, models


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
        """Effectiveness per product and unit (see ``lot.recall._effectiveness``).

        :return: (rows, unattributed): rows are dicts with ``product``, ``uom``, the
            figures, ``recovered_percent`` and ``accounted_percent``, by product name;
            unattributed is a list of (customer, quantity destroyed on site)
        """
        figures = recall._effectiveness()
        return figures["products"], figures["unattributed"]
