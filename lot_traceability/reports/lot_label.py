import base64
import io

import qrcode
from barcode.codex import Gs1_128
from barcode.writer import ImageWriter
from odoo import api, models
from odoo.exceptions import UserError
from PIL import Image

from ..tools import gs1, timezones


def gs1_128_data_uri(element_string):
    """(PNG data URI, width in mm) of the GS1-128 symbol of an element string.

    The symbol starts with FNC1 (python-barcode's ``Gs1_128`` adds it) and the GS
    separators of the raw element string become FNC1 characters inside the symbol, as
    GS1 General Specifications 5.4.6 requires after variable-length values.
    """
    data = element_string.raw.replace(gs1.GS, Gs1_128.FNC1_CHAR)
    symbol = Gs1_128(data, writer=ImageWriter(format="PNG", mode="1", dpi=300))
    stream = io.BytesIO()
    symbol.write(
        stream,
        options={
            "module_width": 0.25,  # mm: X-dimension within GS1's range for GS1-128
            "module_height": 12.0,  # mm
            "quiet_zone": 2.5,  # mm, 10 X
            "write_text": False,  # the human-readable text is printed by the template
        },
    )
    png = stream.getvalue()
    width_mm = round(Image.open(io.BytesIO(png)).size[0] / 300 * 25.4, 1)
    return "data:image/png;base64," + base64.b64encode(png).decode(), width_mm


def qr_data_uri(value):
    """PNG data URI of a QR code (error correction M) of ``value``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=2)
    code.add_data(value)
    code.make(fit=True)
    stream = io.BytesIO()
    code.make_image().save(stream, format="PNG")
    return "data:image/png;base64," + base64.b64encode(stream.getvalue()).decode()


class ReportLotLabel(models.AbstractModel):
    """GS1 lot labels of lots: one label per lot."""

    _name = "report.lot_traceability.report_lot_label"
    _description = "GS1 Lot Label"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self._get_label_docs(docids)
        labels = [self._prepare_label(values) for values in self._label_sources(docs)]
        if not labels:
            raise UserError(self.env._("Nothing to print: no lot on these records."))
        return {
            "doc_ids": docids,
            "doc_model": self._label_doc_model(),
            "docs": docs,
            "labels": labels,
        }

    @api.model
    def _label_doc_model(self):
        return "stock.lot"

    @api.model
    def _get_label_docs(self, docids):
        return self.env[self._label_doc_model()].browse(docids)

    @api.model
    def _label_sources(self, docs):
        return [lot._gs1_label_values() for lot in docs]

    @api.model
    def _prepare_label(self, values):
        """Everything the label template prints for one lot.

        ``values``: product, lot_name, production_date, expiry (dates), company.
        """
        product = values["product"]
        gtin = product._gs1_gtin14() if product else None
        label = {
            **values,
            "gtin": gtin,
            "element_strings": [],
            "barcodes": [],
            "digital_link": False,
            "error": False,
        }
        try:
            element_string = gs1.format_element_string(
                gtin=gtin,
                lot=values["lot_name"],
                production_date=values.get("production_date"),
                expiry=values.get("expiry"),
            )
        except gs1.GS1Error as error:
            # e.g. a lot number with characters GS1 does not allow: print the label
            # without barcode and say why, rather than failing the whole print job
            label["error"] = str(error)
            return label
        label["human_readable"] = element_string.human
        for chunk in gs1.split_for_gs1_128(element_string):
            label["element_strings"].append(chunk.human)
            uri, width_mm = gs1_128_data_uri(chunk)
            label["barcodes"].append({"uri": uri, "width_mm": width_mm, "text": chunk.human})
        if gtin:
            label["digital_link"] = gs1.digital_link(
                gtin,
                values["lot_name"],
                expiry=values.get("expiry"),
                base_url=self.env["stock.lot"]._gs1_resolver_url(),
            )
            label["qr_code"] = qr_data_uri(label["digital_link"])
        return label


class ReportPickingLotLabel(models.AbstractModel):
    """GS1 lot labels of transfers: one label per operation line with a lot."""

    _name = "report.lot_traceability.report_picking_lot_label"
    _inherit = "report.lot_traceability.report_lot_label"
    _description = "GS1 Lot Labels of a Transfer"

    @api.model
    def _label_doc_model(self):
        return "stock.picking"

    @api.model
    def _label_sources(self, docs):
        sources = []
        for picking in docs:
            lines = picking.move_line_ids.filtered(
                lambda ml: (ml.lot_id or ml.lot_name) and ml.state != "cancel"
            )
            for line in lines.sorted(lambda ml: (ml.move_id.sequence, ml.move_id.id, ml.id)):
                lot = line.lot_id
                expiry = line.expiration_date or lot.expiration_date
                sources.append(
                    {
                        "product": line.product_id,
                        "lot_name": lot.name or line.lot_name,
                        "production_date": line.production_date or lot.production_date or None,
                        "expiry": timezones.local_date(expiry, line._lot_tz()),
                        "company": line.company_id or picking.company_id,
                    }
                )
        return sources
