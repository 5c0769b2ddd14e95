from collections import defaultdict
from datetime import datetime, time

from odoo import api, fields, models
from odoo.tools import SQL

# Ledger balance of the stock valuation accounts by product and lot. A journal entry made
# for valuation layers of a single lot (Odoo makes one entry per layer) is that lot's.
_LEDGER_SQL = """
SELECT line.account_id, line.product_id, entry_lot.lot_id, SUM(line.balance)
  FROM account_move_line line
  LEFT JOIN LATERAL (
        SELECT CASE WHEN COUNT(DISTINCT COALESCE(layer.lot_id, 0)) = 1
                    THEN MIN(layer.lot_id) END AS lot_id
          FROM stock_valuation_layer layer
         WHERE layer.account_move_id = line.move_id
           AND layer.product_id = line.product_id
       ) entry_lot ON TRUE
 WHERE line.company_id = %(company)s
   AND line.account_id = ANY(%(accounts)s)
   AND line.parent_state = 'posted'
   AND (%(date)s::date IS NULL OR line.date <= %(date)s::date)
 GROUP BY 1, 2, 3
"""


class LotValuationReconciliation(models.TransientModel):
    """Stock valuation accounts against the value of the lots (and other stock) they hold.

    For each company and stock valuation account of the product categories in automated
    valuation: the value of the valuation layers of their products, by lot (products valued
    by lot) or not, against the balance of the account's posted journal items, with the
    product and lot of every difference.

    Transient rows computed on request (see the lot_traceability readme, DEVELOP.md):
    the figures are those of the date the user asks for, in the user's companies.
    """

    _name = "lot.valuation.reconciliation"
    _description = "Stock Valuation Reconciliation"

    date = fields.Date(
        string="At Date",
        help="Valuation layers created and journal items dated on or before this day; "
        "leave empty for everything.",
    )
    line_ids = fields.One2many("lot.valuation.reconciliation.line", "reconciliation_id")
    difference_ids = fields.One2many(
        "lot.valuation.reconciliation.difference", "reconciliation_id", string="Differences"
    )
    difference_count = fields.Integer(compute="_compute_difference_count")

    @api.depends("difference_ids")
    def _compute_difference_count(self):
        for reconciliation in self:
            reconciliation.difference_count = len(reconciliation.difference_ids)

    @api.model
    def action_open(self):
        """Reconcile today's valuation and open the result."""
        reconciliation = self.create({})
        return reconciliation.action_compute()

    def action_compute(self):
        """(Re)compute the reconciliation for the companies selected in the switcher."""
        self.ensure_one()
        lines, differences = [], []
        for company in self.env.companies:
            company_lines, company_differences = self._reconcile_company(company)
            lines += company_lines
            differences += company_differences
        self.line_ids.unlink()
        self.difference_ids.unlink()
        self.write(
            {
                "line_ids": [fields.Command.create(vals) for vals in lines],
                "difference_ids": [fields.Command.create(vals) for vals in differences],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
            "name": self.env._("Stock Valuation Reconciliation"),
        }

    def _valuation_accounts(self, company):
        """{product.category id: stock valuation account id} of the categories in automated
        valuation for the company."""
        categories = (
            self.env["product.category"]
            .with_company(company)
            .search([("property_valuation", "=", "real_time")])
        )
        return {
            category.id: category.property_stock_valuation_account_id.id
            for category in categories
            if category.property_stock_valuation_account_id
        }

    def _reconcile_company(self, company):
        account_by_category = self._valuation_accounts(company)
        if not account_by_category:
            return [], []
        currency = company.currency_id
        domain = [
            ("company_id", "=", company.id),
            ("product_id.categ_id", "in", list(account_by_category)),
        ]
        if self.date:
            domain.append(("create_date", "<=", datetime.combine(self.date, time.max)))
        layer_groups = (
            self.env["stock.valuation.layer"]
            .sudo()
            ._read_group(domain, ["product_id", "lot_id"], ["value:sum"])
        )
        stock = defaultdict(float)
        for product, lot, value in layer_groups:
            account_id = account_by_category[product.categ_id.id]
            stock[account_id, product.id, lot.id or None] += value
        accounts = sorted(set(account_by_category.values()))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(_LEDGER_SQL, company=company.id, accounts=accounts, date=self.date or None)
        )
        ledger = {
            (account_id, product_id, lot_id): balance
            for account_id, product_id, lot_id, balance in self.env.cr.fetchall()
        }
        lines = {
            account_id: {
                "company_id": company.id,
                "account_id": account_id,
                "lot_value": 0.0,
                "other_value": 0.0,
                "balance": 0.0,
            }
            for account_id in accounts
        }
        differences = []
        for key in sorted(set(stock) | set(ledger), key=str):
            account_id, product_id, lot_id = key
            value, balance = stock.get(key, 0.0), ledger.get(key, 0.0)
            line = lines[account_id]
            line["lot_value" if lot_id else "other_value"] += value
            line["balance"] += balance
            if not currency.is_zero(value - balance):
                differences.append(
                    {
                        "company_id": company.id,
                        "account_id": account_id,
                        "product_id": product_id,
                        "lot_id": lot_id,
                        "stock_value": value,
                        "balance": balance,
                    }
                )
        return list(lines.values()), differences


class LotValuationReconciliationLine(models.TransientModel):
    """One stock valuation account: the value of the stock it holds against its balance."""

    _name = "lot.valuation.reconciliation.line"
    _description = "Stock Valuation Reconciliation Line"
    _order = "company_id, account_id"

    reconciliation_id = fields.Many2one(
        "lot.valuation.reconciliation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    account_id = fields.Many2one("account.account", string="Stock Valuation Account")
    lot_value = fields.Monetary(
        string="Value of Lots", help="Valuation layers of products valued by lot."
    )
    other_value = fields.Monetary(
        string="Value without Lot", help="Valuation layers of products not valued by lot."
    )
    stock_value = fields.Monetary(compute="_compute_difference", store=True)
    balance = fields.Monetary(string="Account Balance")
    difference = fields.Monetary(compute="_compute_difference", store=True)

    @api.depends("lot_value", "other_value", "balance")
    def _compute_difference(self):
        for line in self:
            line.stock_value = line.lot_value + line.other_value
            line.difference = line.currency_id.round(line.stock_value - line.balance)


class LotValuationReconciliationDifference(models.TransientModel):
    """A product and lot whose stock value differs from what its journal items put in the
    stock valuation account (lot empty: not valued by lot, or entries of several lots)."""

    _name = "lot.valuation.reconciliation.difference"
    _description = "Stock Valuation Reconciliation Difference"
    _order = "company_id, account_id, product_id, lot_id"

    reconciliation_id = fields.Many2one(
        "lot.valuation.reconciliation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    account_id = fields.Many2one("account.account", string="Stock Valuation Account")
    product_id = fields.Many2one("product.product")
    lot_id = fields.Many2one("stock.lot")
    stock_value = fields.Monetary()
    balance = fields.Monetary(string="Journal Items")
    difference = fields.Monetary(compute="_compute_difference", store=True)

    @api.depends("stock_value", "balance")
    def _compute_difference(self):
        for line in self:
            line.difference = line.currency_id.round(line.stock_value - line.balance)
