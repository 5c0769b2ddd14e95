from odoo import api, models


class LotEuTraceReportPdf(models.AbstractModel):
    """Values of the EU traceability PDF: each report's data computed once, in its
    language and companies."""

    _name = "report.lot_recall.report_lot_eu_trace"
    _description = "EU Traceability Report PDF"

    @api.model
    def _get_report_values(self, docids, data=None):
        reports = self.env["lot.eu.trace.report"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "lot.eu.trace.report",
            "docs": reports,
            "report_data": {report.id: report._report_data() for report in reports},
        }
