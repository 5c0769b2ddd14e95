from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_is_zero
from odoo.tools.sql import column_exists, create_column, create_index

from ..tools import gs1, timezones
from ..tools.move_kinds import TRACE_INPUT_COLUMNS

# Checked in every creation and write of move lines.
_TRACE_INPUT_NAMES = frozenset(TRACE_INPUT_COLUMNS)

# The trace inputs of the move lines (the ``lot_trace_*`` fields below) and the value each
# takes from the line's move and transfer, as the ORM computes them.
_TRACE_INPUTS = {
    "lot_trace_move_partner_id": "move.partner_id",
    "lot_trace_picking_partner_id": "picking.partner_id",
    "lot_trace_production_id": "COALESCE(move.production_id, move.raw_material_production_id)",
    "lot_trace_unbuild_id": "move.unbuild_id",
}
# Those of the optional sale and purchase orders, per field of the move linking its order
# line: {column: (value, value without order)} and the join to the order.
_ORDER_INPUTS = {
    "sale_line_id": (
        {
            "lot_trace_sale_id": ("COALESCE(so.id, 0)", "0"),
            "lot_trace_sale_partner_id": ("so.partner_shipping_id", "NULL"),
        },
        """LEFT JOIN sale_order_line sol ON sol.id = move.sale_line_id
           LEFT JOIN sale_order so ON so.id = sol.order_id""",
    ),
    "purchase_line_id": (
        {
            "lot_trace_purchase_id": ("COALESCE(po.id, 0)", "0"),
            "lot_trace_purchase_partner_id": ("po.partner_id", "NULL"),
        },
        """LEFT JOIN purchase_order_line pol ON pol.id = move.purchase_line_id
           LEFT JOIN purchase_order po ON po.id = pol.order_id""",
    ),
}


def _assignments(values):
    """SQL ``column = value, ...`` of ``{column: SQL expression}``."""
    return SQL(", ").join(
        SQL("%s = %s", SQL.identifier(column), SQL(value)) for column, value in values.items()
    )


def fill_trace_inputs(cr):
    """Create the trace inputs of the move lines and fill them by SQL (at install, and on
    update from 18.0.1.1.0), instead of the ORM computing them line by line on a large
    database."""
    values, joins = dict(_TRACE_INPUTS), []
    for order_line, (inputs, join) in _ORDER_INPUTS.items():
        installed = column_exists(cr, "stock_move", order_line)
        if installed:
            values.update({column: value for column, (value, _empty) in inputs.items()})
            joins.append(join)
        else:
            values.update(_without_order(order_line))
    for column in values:
        if not column_exists(cr, "stock_move_line", column):
            create_column(cr, "stock_move_line", column, "int4")
    cr.execute(
        SQL(
            """UPDATE stock_move_line line
                  SET %s
                 FROM stock_move move
                 LEFT JOIN stock_picking picking ON picking.id = move.picking_id
                 %s
                WHERE move.id = line.move_id""",
            _assignments(values),
            SQL(" ").join(SQL(join) for join in joins),
        )
    )


def empty_order_inputs(cr, order_line):
    """Empty the trace inputs the moves' ``order_line`` field fills (``sale_line_id`` or
    ``purchase_line_id``), when its module is uninstalled: the orders no longer belong to
    the moves, for the trace as for every other report."""
    if order_line in _ORDER_INPUTS:
        cr.execute(SQL("UPDATE stock_move_line SET %s", _assignments(_without_order(order_line))))


def _without_order(order_line):
    """{column: SQL value} of the trace inputs of ``order_line`` when there is no order."""
    return {column: empty for column, (_value, empty) in _ORDER_INPUTS[order_line][0].items()}


def _order_depends(model, order_line, partner):
    """Dependencies on the order of the move's ``order_line`` field (sale or purchase) and its
    ``partner``, when that module is installed."""
    if order_line in model.env["stock.move"]._fields:
        return [f"move_id.{order_line}.order_id.{partner}"]
    return []


class StockMoveLine(models.Model):
    """Carry lot attributes from receipts and manufacturing orders onto the lots, name
    received lots from their numbering rule and fill lines from scanned GS1 barcodes."""

    _inherit = "stock.move.line"

    production_date = fields.Date(
        help="Production date of a lot created by this line (e.g. from a GS1 AI 11).",
    )
    supplier_lot = fields.Char(
        help="The supplier's lot number, copied onto the lot when the line is done.",
    )
    lot_packaging_date = fields.Date(
        string="Packaging Date",
        help="Packaging date of a lot created by this line (e.g. from a GS1 AI 13).",
    )
    lot_use_date = fields.Datetime(
        string="Best Before Date",
        help="Best before date of a lot created by this line (e.g. from a GS1 AI 15).",
    )

    gs1_barcode = fields.Char(
        string="GS1 Barcode",
        copy=False,
        help="Scan or type the GS1 barcode of the goods (GS1-128, GS1 DataMatrix or the "
        "printed text such as (01)09506000134352(17)271231(10)ABC123). It fills the "
        "lot, the expiration and production dates and the quantity (AI 37 count, or "
        "AI 310n net weight for products counted in weight). The GTIN (AI 01), when "
        "present, must be the product's barcode or one of its packagings' barcodes.",
    )

    # What the classification of the line (``tools.move_kinds``) reads from its move, its
    # transfer and its orders, kept on the line so that a trace reads its lines and nothing
    # else (bench/README.md). Installing the module or updating it from 18.0.1.1.0 fills
    # them by SQL (``fill_trace_inputs``).
    lot_trace_move_partner_id = fields.Many2one(
        related="move_id.partner_id",
        store=True,
        index="btree_not_null",
        string="Traced Move Partner",
    )
    lot_trace_picking_partner_id = fields.Many2one(
        related="move_id.picking_id.partner_id",
        store=True,
        index="btree_not_null",
        string="Traced Transfer Partner",
    )
    lot_trace_production_id = fields.Many2one(
        "mrp.production",
        compute="_compute_lot_trace_production_id",
        store=True,
        index="btree_not_null",
        string="Traced Manufacturing Order",
        help="Manufacturing order of the finished product or of the components.",
    )
    lot_trace_unbuild_id = fields.Many2one(
        related="move_id.unbuild_id",
        store=True,
        index="btree_not_null",
        string="Traced Unbuild Order",
    )
    # Sale and purchase are optional: their orders are kept by id (0 when not installed).
    lot_trace_sale_id = fields.Integer(
        compute="_compute_lot_trace_sale", store=True, string="Traced Sale Order ID"
    )
    lot_trace_sale_partner_id = fields.Many2one(
        "res.partner",
        compute="_compute_lot_trace_sale",
        store=True,
        index="btree_not_null",
        string="Traced Sale Delivery Address",
    )
    lot_trace_purchase_id = fields.Integer(
        compute="_compute_lot_trace_purchase", store=True, string="Traced Purchase Order ID"
    )
    lot_trace_purchase_partner_id = fields.Many2one(
        "res.partner",
        compute="_compute_lot_trace_purchase",
        store=True,
        index="btree_not_null",
        string="Traced Purchase Vendor",
    )

    @api.depends("move_id.production_id", "move_id.raw_material_production_id")
    def _compute_lot_trace_production_id(self):
        for line in self:
            line.lot_trace_production_id = (
                line.move_id.production_id or line.move_id.raw_material_production_id
            )

    @api.depends(lambda self: _order_depends(self, "sale_line_id", "partner_shipping_id"))
    def _compute_lot_trace_sale(self):
        self._lot_trace_order("sale_line_id", "partner_shipping_id", "lot_trace_sale")

    @api.depends(lambda self: _order_depends(self, "purchase_line_id", "partner_id"))
    def _compute_lot_trace_purchase(self):
        self._lot_trace_order("purchase_line_id", "partner_id", "lot_trace_purchase")

    def _lot_trace_order(self, order_line, partner, prefix):
        """Set ``<prefix>_id`` and ``<prefix>_partner_id`` of the lines to the order of their
        move's ``order_line`` and its ``partner`` (0 and none without order or module)."""
        installed = order_line in self.env["stock.move"]._fields
        for line in self:
            order = line.move_id[order_line].order_id if installed else None
            line[f"{prefix}_id"] = order.id if order else 0
            line[f"{prefix}_partner_id"] = order[partner] if order else False

    @api.model_create_multi
    def create(self, vals_list):
        if any(_TRACE_INPUT_NAMES.intersection(vals) for vals in vals_list):
            self._lot_check_trace_inputs()
        for vals in vals_list:
            self._lot_numbering_propose_name(vals)
        return super().create(vals_list)

    def write(self, vals):
        if _TRACE_INPUT_NAMES.intersection(vals):
            self._lot_check_trace_inputs()
        return super().write(vals)

    def _lot_check_trace_inputs(self):
        """The trace inputs follow the line's move, transfer and orders: nobody sets them, so
        that a trace cannot show other partners than the transfers do."""
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The partners and orders a trace reads come from the move, its transfer "
                    "and its orders: change those instead."
                )
            )

    @api.model
    def _lot_numbering_propose_name(self, vals):
        """On receipts that create lots, name the lot of a new line from the product's rule.

        Only lines actually created get a number (the lines of an unsaved form do not). The
        date is the receipt's scheduled date, the vendor its partner and the warehouse its
        operation type's. Returns of deliveries keep their lots and are left alone.
        """
        if vals.get("lot_id") or vals.get("lot_name") or not vals.get("product_id"):
            return
        move = self.env["stock.move"].browse(vals.get("move_id"))
        picking = move.picking_id or self.env["stock.picking"].browse(vals.get("picking_id"))
        picking_type = move.picking_type_id or picking.picking_type_id
        if (
            picking_type.code != "incoming"
            or not picking_type.use_create_lots
            or move.origin_returned_move_id
            or picking.state == "done"
        ):
            return
        product = self.env["product.product"].browse(vals["product_id"])
        if product.tracking == "none":
            return
        company = move.company_id or picking.company_id or None
        rule = product._get_lot_numbering_rule(company)
        if not rule:
            return
        vals["lot_name"] = rule._next_lot_name(
            product,
            date=picking.scheduled_date or move.date,
            warehouse=picking_type.warehouse_id,
            partner=picking.partner_id or move.partner_id,
            company=company,
        )

    def _lot_tz(self):
        """Time zone in which the dates of this line's lot are read: the warehouse of its
        destination, else of its source, else its company's (``tools.timezones``)."""
        self.ensure_one()
        warehouse = self.location_dest_id.warehouse_id or self.location_id.warehouse_id
        if warehouse:
            return timezones.warehouse_tz(warehouse)
        return timezones.company_tz(self.company_id or self.move_id.company_id or self.env.company)

    def _prepare_new_lot_vals(self):
        vals = super()._prepare_new_lot_vals()
        if self.production_date:
            vals["production_date"] = self.production_date
        if self.lot_packaging_date:
            vals["lot_packaging_date"] = self.lot_packaging_date
        if self.lot_use_date:
            vals["use_date"] = self.lot_use_date
        if self.supplier_lot:
            vals["supplier_lot"] = self.supplier_lot
        return vals

    def _set_lot_origin(self):
        """Fill the empty origin attributes of the lots these done lines received or produced.

        Receipts from a vendor location give supplier, country and receipt date; finished
        lines of a manufacturing order give the production date. Values already set on a
        lot (the first receipt, or what the user typed) are kept.
        """
        lots_by_vals = {}
        for line in self.filtered(lambda ml: ml.state == "done" and ml.lot_id):
            lot = line.lot_id
            vals = {}
            if line.supplier_lot and not lot.supplier_lot:
                vals["supplier_lot"] = line.supplier_lot
            if line.location_id.usage == "supplier":
                partner = line.picking_id.partner_id.commercial_partner_id
                if not lot.supplier_id and partner:
                    vals["supplier_id"] = partner.id
                if not lot.origin_country_id and partner.country_id:
                    vals["origin_country_id"] = partner.country_id.id
                if not lot.receipt_date:
                    vals["receipt_date"] = line.date
            elif line.move_id.production_id and not lot.production_date:
                vals["production_date"] = timezones.local_date(line.date, line._lot_tz())
            if vals:
                key = tuple(sorted(vals.items()))
                lots_by_vals[key] = lots_by_vals.get(key, lot.browse()) | lot
        for vals, lots in lots_by_vals.items():
            lots.write(dict(vals))

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

    def init(self):
        res = super().init()
        # Genealogy and mass balance read the done lines of given lots; core has no lot index.
        # With company and id in it, the genealogy walk reads the index alone.
        self.env.cr.execute("DROP INDEX IF EXISTS stock_move_line_done_lot_id_index")
        create_index(
            self.env.cr,
            "stock_move_line_done_lot_index",
            self._table,
            ["lot_id", "company_id", "id"],
            where="state = 'done' AND lot_id IS NOT NULL",
        )
        return res
