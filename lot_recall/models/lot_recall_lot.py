from odoo import api, fields, models
from odoo.addons.lot_fefo.tools.status import BLOCKED_STATUSES
from odoo.addons.lot_traceability.tools.move_kinds import balance_groups


def lot_effectiveness(balance, blocked):
    """Recall effectiveness of one lot from its mass balance.

    :param balance: one lot of ``lot.genealogy.mass_balance``: quantities per kind of
        movement and ``on_hand``, in the lot's product unit (a dropship counts as received
        and delivered, a dropship return as returned by the customer and to the supplier)
    :param blocked: whether the lot's status keeps its stock from being used
    :return: dict with ``base`` (produced or received, less what was consumed into other
        lots: those lots are affected too and carry that quantity), ``delivered``,
        ``returned`` (customer returns), ``destroyed`` (scrapped), ``never_shipped_blocked``
        (stock and supplier returns of a blocked lot, less the returned quantity already in
        ``returned``), ``at_customers`` and ``recovered`` = returned + destroyed + never
        shipped and blocked, never more than the base less what is still at customers
    """
    groups = balance_groups(balance)
    base = max(
        0.0,
        groups["received"]
        + balance["production"]
        + balance["adjustment_in"]
        - balance["consumption"],
    )
    delivered = groups["delivered"]
    returned = groups["returned"]
    destroyed = balance["scrap"]
    never_shipped = (
        max(0.0, balance["on_hand"] + groups["returned_to_supplier"] - returned) if blocked else 0.0
    )
    at_customers = max(0.0, delivered - returned)
    recovered = min(returned + destroyed + never_shipped, max(0.0, base - at_customers))
    return {
        "base": base,
        "delivered": delivered,
        "returned": returned,
        "destroyed": destroyed,
        "never_shipped_blocked": never_shipped,
        "at_customers": at_customers,
        "recovered": recovered,
    }


class LotRecallLot(models.Model):
    """A lot in the scope of a recall, with its live mass balance and effectiveness."""

    _name = "lot.recall.lot"
    _description = "Recall Affected Lot"
    _order = "recall_id, depth, lot_id"
    _log_access = False

    recall_id = fields.Many2one("lot.recall", required=True, ondelete="cascade", index=True)
    lot_id = fields.Many2one("stock.lot", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one(related="lot_id.product_id")
    uom_id = fields.Many2one(related="lot_id.product_id.uom_id", string="Unit")
    depth = fields.Integer(
        string="Level", help="Transformations between the recalled lots and this one."
    )
    lot_status = fields.Selection(related="lot_id.lot_status")
    block_state = fields.Selection(
        [
            ("queued", "Queued"),
            ("blocked", "Blocked"),
            ("already", "Already Recalled"),
            ("failed", "Failed"),
        ],
        string="Blocking",
        readonly=True,
        help="Where the recall's Block Stock stands for this lot: queued for the background "
        "job, set to Recalled by it, found Recalled already, or refused (see Blocking Error; "
        "Block Stock again retries it).",
    )
    block_error = fields.Text(
        string="Blocking Error",
        readonly=True,
        help="Why this lot could not be set to Recalled.",
    )
    expiration_date = fields.Datetime(related="lot_id.expiration_date")
    qty_in = fields.Float(
        string="Produced/Received",
        compute="_compute_balance",
        digits="Product Unit of Measure",
        help="Received, produced and found at inventory.",
    )
    qty_consumed = fields.Float(
        string="Consumed",
        compute="_compute_balance",
        digits="Product Unit of Measure",
        help="Consumed into other lots, which are in the scope too.",
    )
    qty_delivered = fields.Float(
        string="Shipped", compute="_compute_balance", digits="Product Unit of Measure"
    )
    qty_returned = fields.Float(
        string="Returned",
        compute="_compute_balance",
        digits="Product Unit of Measure",
        help="Returned by customers.",
    )
    qty_destroyed = fields.Float(
        string="Scrapped", compute="_compute_balance", digits="Product Unit of Measure"
    )
    qty_on_hand = fields.Float(
        string="On Hand",
        compute="_compute_balance",
        digits="Product Unit of Measure",
        help="In internal and transit locations.",
    )
    qty_unaccounted = fields.Float(
        string="Unaccounted", compute="_compute_balance", digits="Product Unit of Measure"
    )
    qty_base = fields.Float(
        string="To Recover",
        compute="_compute_balance",
        digits="Product Unit of Measure",
        help="Produced or received, less what was consumed into other affected lots.",
    )
    qty_never_shipped_blocked = fields.Float(
        string="Never Shipped and Blocked",
        compute="_compute_balance",
        digits="Product Unit of Measure",
    )
    qty_recovered = fields.Float(
        string="Recovered", compute="_compute_balance", digits="Product Unit of Measure"
    )
    recovered_percent = fields.Float(
        string="Recovered (%)", compute="_compute_balance", digits=(16, 2)
    )

    @api.depends("lot_id")
    def _compute_balance(self):
        balance = {}
        for recall in self.recall_id:
            lots = self.filtered(lambda line, recall=recall: line.recall_id == recall).lot_id
            genealogy = recall._in_recall_company().env["lot.genealogy"]
            balance[recall.id] = genealogy.mass_balance(lots.ids)
        for line in self:
            values = balance.get(line.recall_id.id, {}).get(line.lot_id.id)
            if not values:
                line.update(dict.fromkeys(self._balance_fields(), 0.0))
                continue
            figures = lot_effectiveness(values, line.lot_id.lot_status in BLOCKED_STATUSES)
            line.qty_in = values["received"] + values["production"] + values["adjustment_in"]
            line.qty_consumed = values["consumption"]
            line.qty_delivered = values["delivered"]
            line.qty_returned = values["returned"]
            line.qty_destroyed = values["scrap"]
            line.qty_on_hand = values["on_hand"]
            line.qty_unaccounted = values["unaccounted"]
            line.qty_base = figures["base"]
            line.qty_never_shipped_blocked = figures["never_shipped_blocked"]
            line.qty_recovered = figures["recovered"]
            line.recovered_percent = (
                100.0 * figures["recovered"] / figures["base"] if figures["base"] else 0.0
            )

    @api.model
    def _balance_fields(self):
        return [
            name
            for name, field in self._fields.items()
            if field.compute == "_compute_balance" and name != "lot_status"
        ]
