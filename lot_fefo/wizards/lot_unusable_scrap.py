from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..tools.status import SCRAPPABLE_STATUSES


class LotUnusableScrap(models.TransientModel):
    """Scrap the on-hand stock of expired (or recalled, blocked) lots: one validated
    ``stock.scrap`` per lot and location, valued by stock_account like any scrap."""

    _name = "lot.unusable.scrap"
    _description = "Scrap Unusable Lots"

    lot_ids = fields.Many2many(
        "stock.lot",
        string="Lots",
        domain=[("lot_status", "in", SCRAPPABLE_STATUSES)],
        help="Expired, recalled or blocked lots whose stock is scrapped.",
    )
    reason = fields.Char(
        required=True,
        default=lambda self: self.env._("Expired lot"),
        help="Written as the source document of the scrap orders.",
    )
    line_ids = fields.One2many(
        "lot.unusable.scrap.line",
        "wizard_id",
        string="Stock to Scrap",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "lot_ids" in fields_list
            and context.get("active_model") == "stock.lot"
            and context.get("active_ids")
        ):
            values["lot_ids"] = [Command.set(context["active_ids"])]
        return values

    @api.depends("lot_ids")
    def _compute_line_ids(self):
        for wizard in self:
            lots = wizard.lot_ids._origin
            groups = (
                self.env["stock.quant"]._read_group(
                    [("lot_id", "in", lots.ids), ("location_id.usage", "=", "internal")],
                    groupby=["lot_id", "location_id", "package_id", "owner_id"],
                    aggregates=["quantity:sum"],
                    order="lot_id, location_id",
                )
                if lots
                else []
            )
            commands = [Command.clear()]
            for lot, location, package, owner, quantity in groups:
                if (
                    float_compare(quantity, 0, precision_rounding=lot.product_id.uom_id.rounding)
                    > 0
                ):
                    commands.append(
                        Command.create(
                            {
                                "lot_id": lot.id,
                                "location_id": location.id,
                                "package_id": package.id,
                                "owner_id": owner.id,
                                "available_quantity": quantity,
                                "quantity": quantity,
                            }
                        )
                    )
            wizard.line_ids = commands

    def _check_lines(self):
        """Refuse usable lots, quantities below zero or above what is on hand."""
        self.ensure_one()
        lines = self.line_ids.filtered(
            lambda line: (
                not float_is_zero(line.quantity, precision_rounding=line.product_id.uom_id.rounding)
            )
        )
        if not lines:
            raise UserError(
                self.env._(
                    "Nothing to scrap: choose expired, recalled or blocked lots that have stock "
                    "in internal locations, with a quantity to scrap."
                )
            )
        refused = lines.lot_id.filtered(lambda lot: lot.lot_status not in SCRAPPABLE_STATUSES)
        if refused:
            labels = dict(refused._fields["lot_status"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Only expired, recalled or blocked lots can be scrapped here. These lots are "
                    "not: %(lots)s. Block them first if they must be destroyed.",
                    lots=", ".join(
                        f"{lot.display_name} ({labels[lot.lot_status]})" for lot in refused
                    ),
                )
            )
        on_hand = lines._on_hand_quantities()
        for line in lines:
            rounding = line.product_id.uom_id.rounding
            if float_compare(line.quantity, 0, precision_rounding=rounding) < 0:
                raise UserError(
                    self.env._(
                        "The quantity to scrap of lot %(lot)s must be positive.",
                        lot=line.lot_id.display_name,
                    )
                )
            if float_compare(line.quantity, on_hand[line], precision_rounding=rounding) > 0:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s has only %(on_hand)s %(uom)s in %(location)s; you asked to "
                        "scrap %(quantity)s.",
                        lot=line.lot_id.display_name,
                        on_hand=on_hand[line],
                        uom=line.uom_id.name,
                        location=line.location_id.display_name,
                        quantity=line.quantity,
                    )
                )
        return lines

    def action_scrap(self):
        """Unreserve the lots, create and validate one scrap order per line (lot and
        location) with the reason as source document; open the scrap orders."""
        self.ensure_one()
        lines = self._check_lines()
        lines.lot_id._lot_unreserve()
        Scrap = self.env["stock.scrap"]
        scraps = Scrap.browse()
        quantities = []
        for company, company_lines in lines.grouped(
            lambda line: line.location_id.company_id
        ).items():
            scraps |= Scrap.with_company(company).create(
                [
                    {
                        "company_id": company.id,
                        "product_id": line.product_id.id,
                        "product_uom_id": line.uom_id.id,
                        "lot_id": line.lot_id.id,
                        "location_id": line.location_id.id,
                        "package_id": line.package_id.id,
                        "owner_id": line.owner_id.id,
                        "scrap_qty": line.quantity,
                        "origin": self.reason,
                    }
                    for line in company_lines
                ]
            )
            quantities += company_lines.mapped("quantity")
        for scrap in scraps:
            result = scrap.with_company(scrap.company_id).action_validate()
            if result is not True:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s no longer has %(quantity)s %(uom)s in %(location)s: "
                        "nothing was scrapped.",
                        lot=scrap.lot_id.display_name,
                        quantity=scrap.scrap_qty,
                        uom=scrap.product_uom_id.name,
                        location=scrap.location_id.display_name,
                    )
                )
        # Core (18.0) leaves the computed scrap_qty of done scraps to recompute when several
        # scraps of one lot are validated together, and the recompute resets some to their
        # default 1: store the quantities scrapped, which also ends that pending recompute.
        for scrap, quantity in zip(scraps, quantities, strict=True):
            scrap.scrap_qty = quantity
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_stock_scrap")
        action["domain"] = [("id", "in", scraps.ids)]
        action["context"] = {"create": False}
        return action


class LotUnusableScrapLine(models.TransientModel):
    _name = "lot.unusable.scrap.line"
    _description = "Scrap Unusable Lots: Stock Line"

    wizard_id = fields.Many2one("lot.unusable.scrap", required=True, ondelete="cascade")
    lot_id = fields.Many2one("stock.lot", required=True)
    lot_status = fields.Selection(related="lot_id.lot_status")
    product_id = fields.Many2one(related="lot_id.product_id")
    location_id = fields.Many2one("stock.location", required=True)
    package_id = fields.Many2one("stock.quant.package")
    owner_id = fields.Many2one("res.partner")
    available_quantity = fields.Float(string="On Hand", digits="Product Unit of Measure")
    quantity = fields.Float(string="To Scrap", digits="Product Unit of Measure")
    uom_id = fields.Many2one(related="lot_id.product_id.uom_id", string="Unit")

    def _on_hand_quantities(self):
        """``{line: quantity}``: what is on hand now for each line's lot, location,
        package and owner."""
        groups = self.env["stock.quant"]._read_group(
            [("lot_id", "in", self.lot_id.ids), ("location_id", "in", self.location_id.ids)],
            groupby=["lot_id", "location_id", "package_id", "owner_id"],
            aggregates=["quantity:sum"],
        )
        quantities = {
            (lot.id, location.id, package.id, owner.id): quantity
            for lot, location, package, owner, quantity in groups
        }
        return {
            line: quantities.get(
                (line.lot_id.id, line.location_id.id, line.package_id.id, line.owner_id.id), 0.0
            )
            for line in self
        }
