from odoo import Command, api, fields, models

from ..tools import timezones


class StockLot(models.Model):
    """Lot attributes beyond core: where and when the lot was made or received."""

    _inherit = "stock.lot"

    production_date = fields.Date(
        help="Day the lot was produced: the manufacturing order's end for lots made here, "
        "the supplier's production date (GS1 AI 11) for received lots.",
    )
    supplier_lot = fields.Char(
        index="trigram",
        help="The lot number the supplier printed on the goods.",
    )
    supplier_id = fields.Many2one(
        "res.partner",
        string="Supplier of Origin",
        index="btree_not_null",
        help="Partner of the first receipt of this lot from a vendor location.",
    )
    origin_country_id = fields.Many2one(
        "res.country",
        string="Country of Origin",
        help="Defaults to the supplier's country at the first receipt.",
    )
    receipt_date = fields.Datetime(
        help="When this lot was first received from a vendor location.",
    )
    lot_packaging_date = fields.Date(
        string="Packaging Date",
        help="Day the lot was packed, as printed by the supplier (GS1 AI 13).",
    )

    balance_in = fields.Float(
        string="In",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="Received (drop-shipped included), produced, returned by customers and found at "
        "inventory.",
    )
    balance_consumed = fields.Float(
        string="Consumed", compute="_compute_mass_balance", digits="Product Unit of Measure"
    )
    balance_delivered = fields.Float(
        string="Delivered",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="Delivered and drop-shipped to customers, shipped to other companies.",
    )
    balance_returned = fields.Float(
        string="Returned",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="Returned by customers.",
    )
    balance_scrapped = fields.Float(
        string="Scrapped", compute="_compute_mass_balance", digits="Product Unit of Measure"
    )
    balance_on_hand = fields.Float(
        string="On Hand",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="In internal and transit locations.",
    )
    balance_unaccounted = fields.Float(
        string="Unaccounted",
        compute="_compute_mass_balance",
        digits="Product Unit of Measure",
        help="In, less everything that went out, less what is on hand.",
    )
    balance_reconciliation = fields.Float(
        string="Reconciliation (%)",
        compute="_compute_mass_balance",
        digits=(16, 2),
        help="(Out + on hand) / in: 100 % when every unit of the lot is accounted for.",
    )

    def _compute_mass_balance(self):
        # computed on lots the user reads: the companies of the user still apply
        balance = self.env["lot.genealogy"]._mass_balance([lot.id for lot in self if lot.id])
        for lot in self:
            values = balance.get(lot.id) or {}
            lot.balance_in = values.get("in", 0.0)
            lot.balance_consumed = values.get("consumption", 0.0)
            lot.balance_delivered = values.get("delivered", 0.0)
            lot.balance_returned = values.get("returned", 0.0)
            lot.balance_scrapped = values.get("scrap", 0.0)
            lot.balance_on_hand = values.get("on_hand", 0.0)
            lot.balance_unaccounted = values.get("unaccounted", 0.0)
            lot.balance_reconciliation = values.get("reconciliation") or 0.0

    def _lot_tzs(self):
        """{lot id: time zone} in which the dates of these lots are read (see
        ``tools.timezones``): the warehouse holding the lot's stock in internal locations
        of the user's companies (of several, the one where its expiration day ends first),
        else the lot's company's main warehouse, else that company's address, else UTC."""
        lots = self.filtered("id")
        held = {}
        if lots:
            self.env["stock.quant"].flush_model(["lot_id", "location_id", "company_id", "quantity"])
            self.env["stock.location"].flush_model(["usage", "warehouse_id"])
            self.env.cr.execute(
                """
                SELECT held.lot_id, ARRAY_AGG(held.warehouse_id)
                  FROM (
                        SELECT quant.lot_id, location.warehouse_id
                          FROM stock_quant quant
                          JOIN stock_location location
                            ON location.id = quant.location_id AND location.usage = 'internal'
                         WHERE quant.lot_id = ANY(%s)
                           AND quant.company_id = ANY(%s)
                           AND location.warehouse_id IS NOT NULL
                      GROUP BY quant.lot_id, location.warehouse_id
                        HAVING SUM(quant.quantity) > 0
                       ) AS held
              GROUP BY held.lot_id
                """,
                [lots.ids, self.env.companies.ids],
            )
            held = dict(self.env.cr.fetchall())
        Warehouse = self.env["stock.warehouse"].sudo()
        warehouse_tzs = {
            warehouse.id: timezones.warehouse_tz(warehouse)
            for warehouse in Warehouse.browse({wid for ids in held.values() for wid in ids})
        }
        company_tzs = {}
        result = {}
        for lot in self:
            if lot.id in held:
                result[lot.id] = timezones.earliest_day_end(
                    lot.expiration_date, [warehouse_tzs[wid] for wid in held[lot.id]]
                )
                continue
            company = lot.sudo().company_id or self.env.company
            if company not in company_tzs:
                company_tzs[company] = timezones.company_tz(company)
            result[lot.id] = company_tzs[company]
        return result

    def _lot_tz(self):
        """Time zone in which the dates of this lot are read (see ``_lot_tzs``)."""
        self.ensure_one()
        return self._lot_tzs()[self.id]

    def _open_trace(self, direction):
        trace = self.env["lot.trace"].create(
            {"lot_ids": [Command.set(self.ids)], "direction": direction}
        )
        return trace.action_compute()

    def action_trace_upstream(self):
        """Genealogy of these lots towards their components and suppliers."""
        return self._open_trace("upstream")

    def action_trace_downstream(self):
        """Genealogy of these lots towards what was made from them and its customers."""
        return self._open_trace("downstream")

    @api.readonly
    def action_lot_graph(self):
        """The genealogy graph of these lots, downstream (upstream from the graph)."""
        return self._lot_graph_action("downstream")

    def _lot_graph_action(self, direction):
        return {
            "type": "ir.actions.client",
            "tag": "lot_traceability.genealogy_graph",
            "name": self.env._("Graph of %(lots)s", lots=", ".join(self.mapped("name")))
            if len(self) <= 3
            else self.env._("Graph of %(count)s lots", count=len(self)),
            "params": {"lot_ids": self.ids, "direction": direction},
        }

    def action_trace_customers(self):
        """Every delivery of these lots, or of lots made from them, by customer."""
        trace = self.env["lot.trace"].create(
            {"lot_ids": [Command.set(self.ids)], "direction": "downstream"}
        )
        trace.action_compute()
        return trace.action_view_customers()

    @api.readonly
    def action_mass_balance(self):
        """These lots and every lot of their genealogy, with their mass balance."""
        genealogy = self.env["lot.genealogy"]
        lot_ids = {
            row["lot_id"]
            for direction in ("upstream", "downstream")
            for row in genealogy.trace(self.ids, direction)["lots"]
        }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mass Balance"),
            "res_model": "stock.lot",
            "view_mode": "list",
            "views": [
                (self.env.ref("lot_traceability.view_stock_lot_mass_balance_list").id, "list")
            ],
            "domain": [("id", "in", list(lot_ids))],
        }
