from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from ..tools import gs1, timezones


class StockMoveLine(models.Model):
    """Fill lot, dates and quantity of an operation line from a scanned GS1 barcode."""

    _inherit = "stock.move.line"

    gs1_barcode = fields.Char(
        string="GS1 Barcode",
        copy=False,
        help="Scan or type the GS1 barcode of the goods (GS1-128, GS1 DataMatrix or the "
        "printed text such as (01)09506000134352(17)271231(10)ABC123). It fills the "
        "lot, the expiration and production dates and the quantity (AI 37 count, or "
        "AI 310n net weight for products counted in weight). The GTIN (AI 01), when "
        "present, must be the product's barcode or one of its packagings' barcodes.",
    )

    @api.onchange("gs1_barcode")
    def _onchange_gs1_barcode(self):
        if not self.gs1_barcode:
            return None
        vals, warnings = self._gs1_prepare_vals(self.gs1_barcode)
        self.update(vals)
        if warnings:
            return {
                "warning": {
                    "title": self.env._("GS1 barcode"),
                    "message": "\n".join(warnings),
                }
            }
        return None

    def _apply_gs1_barcode(self, code):
        """Fill these lines from a GS1 barcode, as the scan field does, and save.

        Raise a UserError and write nothing when the barcode is invalid or does not
        match the product. Return the warnings (list of str) about values not used.
        """
        todo, warnings = [], []
        for line in self:
            if line.state in ("done", "cancel"):
                raise UserError(
                    self.env._(
                        "The operation line of %(product)s is %(state)s: a GS1 barcode "
                        "cannot change it.",
                        product=line.product_id.display_name,
                        state=line.state,
                    )
                )
            vals, line_warnings = line._gs1_prepare_vals(code)
            todo.append((line, {**vals, "gs1_barcode": code}))
            warnings += line_warnings
        for line, vals in todo:  # only once every line is known to be fine
            line.write(vals)
        return warnings

    # ------------------------------------------------------------------------------

    def _gs1_parse(self, code):
        try:
            return gs1.parse(code, today=fields.Date.context_today(self))
        except gs1.GS1Error as error:
            raise UserError(
                self.env._(
                    "Invalid GS1 barcode %(code)s: %(reason)s",
                    code=gs1.shorten(str(code or "").strip()),
                    reason=error,
                )
            ) from error

    def _gs1_match_product(self, data, product):
        """The packaging whose GTIN was scanned (or an empty recordset for the product's
        own GTIN); UserError when the scanned GTIN is not this product's."""
        packaging = self.env["product.packaging"]
        if not data.gtin:
            return packaging
        gtin = product._gs1_gtin14()
        if gtin == data.gtin:
            return packaging
        for pack in product.packaging_ids:
            if gs1.gtin14_or_none(pack.barcode or "") == data.gtin:
                return pack
        if not gtin:
            raise UserError(
                self.env._(
                    "The barcode has the GTIN %(gtin)s but the product %(product)s has no "
                    "GTIN barcode to compare it with (its barcode is %(barcode)s). Set the "
                    "product's barcode to its GTIN, or check that these are the right goods.",
                    gtin=data.gtin,
                    product=product.display_name,
                    barcode=product.barcode or self.env._("empty"),
                )
            )
        raise UserError(
            self.env._(
                "The scanned GTIN %(gtin)s is not the GTIN of %(product)s (%(product_gtin)s): "
                "these are other goods, or the wrong line.",
                gtin=data.gtin,
                product=product.display_name,
                product_gtin=gtin,
            )
        )

    def _gs1_prepare_vals(self, code):
        """(values to write on this line, warnings) for a GS1 barcode; UserError if bad."""
        self.ensure_one()
        data = self._gs1_parse(code)
        product = self.product_id
        if not product:
            raise UserError(
                self.env._("Choose the product of the line before scanning its GS1 barcode.")
            )
        packaging = self._gs1_match_product(data, product)
        vals, warnings = {}, []

        lot_name = data.lot
        if product.tracking == "serial":
            lot_name = data.serial or data.lot
        if lot_name:
            if product.tracking == "none":
                raise UserError(
                    self.env._(
                        "The barcode has the lot %(lot)s but %(product)s is not tracked by "
                        "lots or serial numbers: set its tracking first.",
                        lot=lot_name,
                        product=product.display_name,
                    )
                )
            vals.update(self._gs1_lot_vals(product, lot_name, data, warnings))
        elif product.tracking != "none":
            warnings.append(self.env._("The barcode has no lot number (AI 10)."))

        if data.production_date:
            vals["production_date"] = data.production_date
        if data.packaging_date:
            vals["lot_packaging_date"] = data.packaging_date
        days = [
            (data.expiry, "expiration_date", self.env._("expiration date")),
            (data.best_before, "lot_use_date", self.env._("best before date")),
        ]
        for day, field_name, label in days:
            if not day or vals.get("lot_id"):
                continue
            if product.use_expiration_date:
                vals[field_name] = timezones.day_start_utc(day, self._lot_tz())
            else:
                warnings.append(
                    self.env._(
                        "The %(label)s %(date)s was not used: %(product)s does not use "
                        "expiration dates.",
                        label=label,
                        date=day,
                        product=product.display_name,
                    )
                )

        quantity = self._gs1_quantity(data, product, packaging, warnings)
        if quantity is not None:
            if product.tracking == "serial" and lot_name and quantity != 1:
                raise UserError(
                    self.env._(
                        "The barcode gives a quantity of %(qty)s for the serial number "
                        "%(serial)s: a serial number is for one unit.",
                        qty=quantity,
                        serial=lot_name,
                    )
                )
            vals["quantity"] = quantity
        return vals, warnings

    def _gs1_lot_vals(self, product, lot_name, data, warnings):
        company = self.company_id or self.move_id.company_id or self.env.company
        lot = self.env["stock.lot"].search(
            [
                ("product_id", "=", product.id),
                ("name", "=", lot_name),
                ("company_id", "in", [company.id, False]),
            ],
            limit=1,
        )
        if lot:
            lot_expiry = timezones.local_date(lot.expiration_date, lot._lot_tz())
            if data.expiry and lot_expiry and lot_expiry != data.expiry:
                warnings.append(
                    self.env._(
                        "The lot %(lot)s already exists with the expiration date "
                        "%(lot_date)s, the barcode says %(scan_date)s: the lot's date is kept.",
                        lot=lot_name,
                        lot_date=lot_expiry,
                        scan_date=data.expiry,
                    )
                )
            return {"lot_id": lot.id, "lot_name": lot_name}
        picking_type = self.picking_type_id or self.move_id.picking_type_id
        if picking_type and not picking_type.use_create_lots:
            raise UserError(
                self.env._(
                    "The lot %(lot)s of %(product)s does not exist, and the operation type "
                    "%(type)s does not create lots.",
                    lot=lot_name,
                    product=product.display_name,
                    type=picking_type.display_name,
                )
            )
        return {"lot_id": False, "lot_name": lot_name}

    def _gs1_quantity(self, data, product, packaging, warnings):
        """Quantity in the line's unit from AI 310n (weight units) or AI 37 (count of
        trade items: units of the product, or packagings when a packaging was scanned)."""
        line_uom = self.product_uom_id or product.uom_id
        kg = self.env.ref("uom.product_uom_kgm")
        if data.net_weight_kg is not None and line_uom.category_id == kg.category_id:
            return kg._compute_quantity(data.net_weight_kg, line_uom, rounding_method="HALF-UP")
        per_item = packaging.qty if packaging else 1.0
        if data.count is not None:
            quantity = data.count * per_item
        elif packaging:
            quantity = per_item
        else:
            if data.net_weight_kg is not None:
                warnings.append(
                    self.env._(
                        "The net weight %(weight)s kg was not used: %(product)s is counted "
                        "in %(uom)s.",
                        weight=data.net_weight_kg,
                        product=product.display_name,
                        uom=line_uom.name,
                    )
                )
            return None
        quantity = product.uom_id._compute_quantity(quantity, line_uom, rounding_method="HALF-UP")
        if float_is_zero(quantity, precision_rounding=line_uom.rounding):
            raise UserError(self.env._("The barcode gives a quantity of 0."))
        return quantity


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def action_apply_gs1_barcode(self, code):
        """Record a scanned GS1 barcode on this transfer.

        The product is the one of the transfer whose GTIN (or packaging GTIN) is in the
        barcode. The barcode fills the first line of that product without a lot, or a new
        line of its move. Return the move line.
        """
        self.ensure_one()
        if self.state in ("done", "cancel"):
            raise UserError(self.env._("The transfer %s is done or cancelled.", self.name))
        lines = self.env["stock.move.line"]
        data = lines._gs1_parse(code)
        if not data.gtin:
            raise UserError(
                self.env._(
                    "The barcode has no GTIN (AI 01) to find the product: scan it in the "
                    "line of the product instead."
                )
            )
        moves = self.move_ids.filtered(
            lambda m: (
                m.state not in ("done", "cancel")
                and (
                    m.product_id._gs1_gtin14() == data.gtin
                    or any(
                        gs1.gtin14_or_none(p.barcode or "") == data.gtin
                        for p in m.product_id.packaging_ids
                    )
                )
            )
        )
        if not moves:
            raise UserError(
                self.env._(
                    "No product of %(picking)s has the GTIN %(gtin)s.",
                    picking=self.name,
                    gtin=data.gtin,
                )
            )
        move = moves[0]
        line = move.move_line_ids.filtered(
            lambda ml: not ml.lot_id and not ml.lot_name and ml.state not in ("done", "cancel")
        )[:1]
        if line:
            line._apply_gs1_barcode(code)
            return line
        line_vals = move._prepare_move_line_vals(quantity=0)
        vals, _warnings = lines.new(line_vals)._gs1_prepare_vals(code)
        return lines.create({**line_vals, "quantity": 0, **vals, "gs1_barcode": code})
