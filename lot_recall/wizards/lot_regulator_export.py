import base64
import json

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

EXPORT_FORMATS = [
    ("fsma_xlsx", "FDA FSMA 204 spreadsheet (XLSX)"),
    ("fsma_csv", "FDA FSMA 204 spreadsheet (CSV)"),
    ("epcis", "GS1 EPCIS 2.0 (JSON-LD)"),
]
EXTENSIONS = {"fsma_xlsx": "xlsx", "fsma_csv": "csv", "epcis": "jsonld"}


class LotRegulatorExport(models.TransientModel):
    """Traceability records for a regulator: the FDA FSMA 204 sortable spreadsheet or a GS1
    EPCIS 2.0 document of the critical tracking events of lots, for a recall or for any
    lots, products and dates."""

    _name = "lot.regulator.export"
    _description = "Regulator Traceability Export"

    recall_id = fields.Many2one(
        "lot.recall",
        readonly=True,
        help="Recall whose affected lots are exported; the file is also attached to it.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "lot_regulator_export_lot_rel",
        string="Lots",
        help="Lots whose receipts, transformations and shipments are exported.",
    )
    product_ids = fields.Many2many(
        "product.product",
        "lot_regulator_export_product_rel",
        string="Products",
        help="Every lot of these products is exported too (with the dates, the events of "
        "those days).",
    )
    date_from = fields.Date(string="From", help="First day of the events, included.")
    date_to = fields.Date(string="To", help="Last day of the events, included.")
    export_format = fields.Selection(
        EXPORT_FORMATS, string="Format", required=True, default="fsma_xlsx"
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)
    row_count = fields.Integer(
        string="Records", readonly=True, help="Spreadsheet rows or EPCIS events in the file."
    )

    @api.private
    @api.model
    def action_open_for_lots(self, lots, recall=None):
        """Window action of the export wizard, prefilled with the lots (and the recall).

        :param lots: ``stock.lot`` recordset (e.g. a recall's affected lots)
        :param recall: optional ``lot.recall`` the export is made for
        """
        wizard = self.create(
            {
                "lot_ids": [Command.set(lots.ids)],
                "recall_id": recall.id if recall else False,
            }
        )
        return wizard._reopen()

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Regulator Export"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _export_lots(self):
        """The chosen lots and every lot of the chosen products.

        :raise AccessError: if the user may not read one of the chosen lots
        """
        self.ensure_one()
        # Read as the user, the field leaves such lots out (and caches that): read it all.
        self.invalidate_recordset(["lot_ids"])
        lots = self.sudo().lot_ids.with_env(self.env)
        lots.check_access("read")
        if self.product_ids:
            lots |= self.env["stock.lot"].search([("product_id", "in", self.product_ids.ids)])
        return lots

    def action_export(self):
        """Build the file in the chosen format; with a recall, attach it to the recall too."""
        self.ensure_one()
        if not (self.lot_ids or self.product_ids):
            raise UserError(self.env._("Choose the lots or the products to export."))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._("The first day must be before the last day."))
        lots = self._export_lots()
        env = self._export_env()
        if self.export_format == "epcis":
            document = env["lot.epcis.export"]._document(lots.ids, self.date_from, self.date_to)
            count = len(document["epcisBody"]["eventList"])
            content = json.dumps(document, indent=1, ensure_ascii=False).encode()
        else:
            fsma = env["lot.fsma.export"]
            rows = fsma._events(lots.ids, self.date_from, self.date_to)
            count = len(rows)
            content = fsma._xlsx(rows) if self.export_format == "fsma_xlsx" else fsma._csv(rows)
        if not count:
            raise UserError(
                self.env._(
                    "These lots have no receipt, shipment or manufacturing in the chosen days: "
                    "there is nothing to export."
                )
            )
        name = self._file_name()
        self.write({"file_data": base64.b64encode(content), "file_name": name, "row_count": count})
        if self.recall_id:
            self._attach_to_recall(content, name)
        return self._reopen()

    def _export_env(self):
        """Environment of the export: the companies selected by the user or, for a recall,
        the recall's company only (another company's moves of the same lots are not part of
        this recall)."""
        if not self.recall_id:
            return self.env
        self.recall_id.check_access("read")
        return self.with_context(allowed_company_ids=self.recall_id.company_id.ids).env

    def _file_name(self):
        prefix = "epcis" if self.export_format == "epcis" else "fsma204"
        if self.recall_id:
            subject = self.recall_id.name
        elif len(self.lot_ids) == 1 and not self.product_ids:
            subject = self.lot_ids.name
        else:
            subject = "lots"
        days = "-".join(day.isoformat() for day in (self.date_from, self.date_to) if day)
        parts = [prefix, subject, days or fields.Date.context_today(self).isoformat()]
        name = "-".join(part for part in parts if part).replace("/", "-").replace(" ", "_")
        return f"{name}.{EXTENSIONS[self.export_format]}"

    def _attach_to_recall(self, content, name):
        """Keep what was sent to the regulator on the recall, with who made it and when."""
        recall = self.recall_id
        recall.check_access("read")
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create({"name": name, "raw": content, "res_model": recall._name, "res_id": recall.id})
        )
        formats = dict(self._fields["export_format"]._description_selection(self.env))
        recall.sudo().message_post(
            body=self.env._(
                "%(format)s exported: %(count)s records.",
                format=formats[self.export_format],
                count=self.row_count,
            ),
            attachment_ids=attachment.ids,
            subtype_xmlid="mail.mt_note",
        )
