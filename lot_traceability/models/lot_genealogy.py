from collections import defaultdict, deque

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.move_kinds import (
    MOVEMENT_KINDS,
    TRACE_INPUT_COLUMNS,
    balance_groups,
    classify_stored_sql,
    kind_sql,
)

# Every query keeps to the move lines and quants of the user's allowed companies
# (``company_ids``): a lot without company (of a product shared between companies) is seen
# by every company, its movements and stock only by their own company.
#
# In ``stock_move_line_consume_rel`` a row (consume_line_id=O, produce_line_id=I) means that
# output line O consumed input line I: manufacturing orders link finished lines to component
# lines, unbuild orders link recovered component lines to the unbuilt finished line.
#
# One query walks the links from the given lots (``reach``: each lot once, so rework cycles
# end) and returns the quantity of input lot consumed into each output lot among the lots
# reached: an input line linked to several output lines of one product (a production
# making several lots) is shared in proportion to their output; output lines of different
# products (by-products, the components an unbuild recovers) each get the whole input line.
# The links of the lines reached are looked up by index (``= ANY(ARRAY(...))``: joined,
# PostgreSQL, which cannot foresee how many lots the walk reaches, scans every link).
_EDGES_SQL = """
WITH RECURSIVE reach(lot_id) AS (
        SELECT unnest(p_lot_ids::int[])
    UNION
        SELECT far.lot_id
          FROM reach
          JOIN stock_move_line near ON near.lot_id = reach.lot_id AND near.state = 'done'
                                     AND near.company_id = ANY(p_company_ids)
          JOIN stock_move_line_consume_rel rel ON rel.{near_col} = near.id
          JOIN stock_move_line far ON far.id = rel.{far_col}
         WHERE far.state = 'done' AND far.lot_id IS NOT NULL
           AND far.company_id = ANY(p_company_ids)
), link AS (
    SELECT i.id AS in_id, i.lot_id AS in_lot, i.quantity_product_uom AS in_qty,
           o.id AS out_id, o.lot_id AS out_lot, o.product_id AS out_product,
           o.quantity_product_uom AS out_qty,
           o.date AS out_date,
           COALESCE(om.production_id, om.unbuild_id) AS order_id,
           CASE WHEN om.unbuild_id IS NOT NULL THEN 'unbuild' ELSE 'production' END AS kind
      FROM stock_move_line_consume_rel rel
      JOIN stock_move_line i ON i.id = rel.produce_line_id
      JOIN stock_move_line o ON o.id = rel.consume_line_id
      JOIN stock_move om ON om.id = o.move_id
     WHERE rel.produce_line_id = ANY(ARRAY(
               SELECT line.id
                 FROM stock_move_line line
                WHERE line.lot_id = ANY(ARRAY(SELECT lot_id FROM reach)) AND line.state = 'done'
                  AND line.company_id = ANY(p_company_ids)
           ))
       AND o.lot_id IN (SELECT lot_id FROM reach) AND o.state = 'done'
       AND o.company_id = ANY(p_company_ids)
), shared AS (
    SELECT link.*, SUM(out_qty) OVER (PARTITION BY in_id, out_product) AS out_total
      FROM link
)
SELECT in_lot, out_lot,
       SUM(in_qty * out_qty / NULLIF(out_total, 0)) AS quantity,
       MAX(out_date) AS date,
       kind,
       ARRAY_AGG(DISTINCT order_id) AS order_ids
  FROM shared
 GROUP BY in_lot, out_lot, kind
"""

# Columns of a movement of a trace, before its partners and orders.
_MOVEMENT_COLUMNS = (
    "id",
    "lot_id",
    "date",
    "quantity",
    "move_id",
    "location_id",
    "location_dest_id",
    "picking_id",
    "reference",
    "company_id",
    "kind",
)

# Every done move line of the lots, with its kind, partners and orders (from the inputs the
# line keeps, ``tools.move_kinds.classify_stored_sql``), in the order they were done.
_MOVEMENTS_SQL = (
    classify_stored_sql(
        f"""
SELECT ml.id, ml.lot_id, ml.date, ml.quantity_product_uom::float8 AS quantity, ml.move_id,
       ml.location_id, ml.location_dest_id, ml.picking_id, ml.reference, ml.company_id,
       {kind_sql()} AS kind,
       {", ".join(f"ml.{column}" for column in TRACE_INPUT_COLUMNS)}
  FROM stock_move_line ml
  JOIN stock_location src ON src.id = ml.location_id
  JOIN stock_location dst ON dst.id = ml.location_dest_id
 WHERE ml.lot_id = ANY(p_lot_ids) AND ml.state = 'done'
   AND ml.company_id = ANY(p_company_ids)
""",
        _MOVEMENT_COLUMNS,
    )
    + " ORDER BY line.date, line.id"
)

# Columns of the rows of ``_EDGES_SQL``, in order.
_EDGE_COLUMNS = ("in_lot", "out_lot", "quantity", "date", "kind", "order_ids")

# Quantities per lot and kind of movement, for the mass balance.
_BALANCE_SQL = f"""
SELECT ml.lot_id, {kind_sql()} AS kind, SUM(ml.quantity_product_uom) AS quantity
  FROM stock_move_line ml
  JOIN stock_location src ON src.id = ml.location_id
  JOIN stock_location dst ON dst.id = ml.location_dest_id
 WHERE ml.lot_id = ANY(p_lot_ids) AND ml.state = 'done'
   AND ml.company_id = ANY(p_company_ids)
 GROUP BY 1, 2
"""

_ON_HAND_SQL = """
SELECT q.lot_id, q.location_id, SUM(q.quantity) AS quantity
  FROM stock_quant q
  JOIN stock_location loc ON loc.id = q.location_id
 WHERE q.lot_id = ANY(p_lot_ids) AND loc.usage IN ('internal', 'transit')
   AND q.company_id = ANY(p_company_ids)
 GROUP BY q.lot_id, q.location_id
HAVING SUM(q.quantity) <> 0
"""


# The statements of a trace are PL/pgSQL functions (created by ``LotGenealogy.init``), with
# their parameters ``p_lot_ids`` and ``p_company_ids``: PostgreSQL keeps their plans for the
# session instead of planning them again at every trace (1.5 to 2 ms, most of a small
# trace, bench/README.md). The plans are generic: every statement looks lines, links and
# quants up by id, so one plan serves a lot with one movement and one with 25,000.
_FUNCTIONS = {
    "lot_genealogy_edges_downstream": (
        _EDGES_SQL.format(near_col="produce_line_id", far_col="consume_line_id"),
        "in_lot int, out_lot int, quantity numeric, date timestamp, kind text, order_ids int[]",
    ),
    "lot_genealogy_edges_upstream": (
        _EDGES_SQL.format(near_col="consume_line_id", far_col="produce_line_id"),
        "in_lot int, out_lot int, quantity numeric, date timestamp, kind text, order_ids int[]",
    ),
    "lot_genealogy_movements": (
        _MOVEMENTS_SQL,
        "id int, lot_id int, date timestamp, quantity float8, move_id int, location_id int,"
        " location_dest_id int, picking_id int, reference varchar, company_id int, kind text,"
        " customer_id int, vendor_id int, partner_id int, production_id int, unbuild_id int,"
        " sale_id int, purchase_id int",
    ),
    "lot_genealogy_on_hand": (_ON_HAND_SQL, "lot_id int, location_id int, quantity numeric"),
    "lot_genealogy_balance": (_BALANCE_SQL, "lot_id int, kind text, quantity numeric"),
}


def _call(function, params):
    """SQL of the rows of one of ``_FUNCTIONS`` for the lots and companies of ``params``
    (``LotGenealogy._params``)."""
    return SQL(
        "SELECT * FROM %s(%s::int[], %s::int[])",
        SQL.identifier(function),
        params["lot_ids"],
        params["company_ids"],
    )


def create_functions(cr):
    """(Re)create the functions of ``_FUNCTIONS``."""
    for function, (query, columns) in _FUNCTIONS.items():
        drop_functions(cr, [function])
        cr.execute(
            SQL(
                """CREATE FUNCTION %s(p_lot_ids int[], p_company_ids int[])
                   RETURNS TABLE (%s) LANGUAGE plpgsql STABLE
                   SET plan_cache_mode = force_generic_plan
                   AS $function$
                   #variable_conflict use_column
                   BEGIN
                       RETURN QUERY %s;
                   END
                   $function$""",
                SQL.identifier(function),
                SQL(columns),
                SQL(query),
            )
        )


def drop_functions(cr, functions=tuple(_FUNCTIONS)):
    """Drop functions of ``_FUNCTIONS`` (all by default)."""
    for function in functions:
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s(int[], int[])", SQL.identifier(function)))


class LotGenealogy(models.AbstractModel):
    """Set-based genealogy engine: which lots a lot was made from or went into.

    Walks done move lines and Odoo's consumed-to-produced links (manufacturing and
    unbuild orders) with one recursive PostgreSQL query per trace, which also returns the
    edges between the lots reached, then reads the classified movements and the stock of
    those lots with one query each. Cycles (rework) end because each lot is visited once.
    Only the move lines and quants of the user's active companies are read: a lot without
    company is traced by every company, each seeing only its own movements and stock.
    """

    _name = "lot.genealogy"
    _description = "Lot genealogy engine"

    def init(self):
        create_functions(self.env.cr)

    @api.model
    @api.readonly
    def trace(self, lot_ids, direction="downstream"):
        """Trace lots upstream or downstream.

        :param lot_ids: ids of the starting lots
        :param direction: ``"downstream"`` (what was made from them and where it went) or
            ``"upstream"`` (what they were made from and where that came from)
        :return: dict with ``lots`` (id, depth), ``edges`` (input lot, output lot, quantity
            of the input lot in its product's unit, date, kind, order ids), ``movements``
            (every done move line of the reached lots with its kind, partners and orders,
            see ``tools.move_kinds.classify_sql``) and ``on_hand`` (lot,
            location, quantity)
        :raise AccessError: when the user may not read one of the lots
        """
        if direction not in ("downstream", "upstream"):
            raise UserError(self.env._("Trace lots either downstream or upstream."))
        roots = self._lot_readable_ids(lot_ids)
        self.env["stock.move.line"].flush_model()
        self.env["stock.quant"].flush_model()
        edges = self._edges(roots, direction)
        depths = self._depths(roots, edges, direction)
        params = self._params(depths)
        movements = self._movements(params)
        on_hand = self._fetch_dicts(_call("lot_genealogy_on_hand", params))
        return {
            "direction": direction,
            "root_lot_ids": roots,
            "lots": [{"lot_id": lot, "depth": depth} for lot, depth in depths.items()],
            "edges": [
                edge for edge in edges if edge["in_lot"] in depths and edge["out_lot"] in depths
            ],
            "movements": movements,
            "on_hand": on_hand,
        }

    def _lot_readable_ids(self, lot_ids):
        """``lot_ids`` as a list, once checked that the user may read every one of these lots.

        :raise AccessError: for users without access to lots (portal) and for lots of
            companies the user is not allowed in
        """
        if not isinstance(lot_ids, (list, tuple, set, frozenset)) or not all(
            isinstance(lot_id, int) and not isinstance(lot_id, bool) for lot_id in lot_ids
        ):
            raise UserError(self.env._("Give a list of lot ids."))
        lots = self.env["stock.lot"].browse(lot_ids)
        # The record rules are applied in SQL: ``check_access`` would read every field of
        # the lots to check them, a third of a small trace. It still names the lots when
        # some are not allowed.
        if len(lots.search([("id", "in", lots.ids)], order="id")) != len(set(lots.ids)):
            lots.check_access("read")
        return list(lots.ids)

    def _params(self, lot_ids):
        """Query parameters: the lots, and the companies whose moves and stock may be read."""
        return {"lot_ids": list(lot_ids), "company_ids": self.env.companies.ids}

    def _edges(self, root_ids, direction):
        """Quantities of input lot consumed into output lot among the lots reachable from
        ``root_ids`` (included) in one direction."""
        return self._fetch_dicts(
            _call(f"lot_genealogy_edges_{direction}", self._params(root_ids)), _EDGE_COLUMNS
        )

    def _movements(self, params):
        """Done move lines of the lots, with their kind, partners and orders
        (``tools.move_kinds``; False when unknown).

        Each row is built as a dict literal from the query's columns in their order (the
        columns of ``_MOVEMENT_COLUMNS``, then ``move_kinds.CLASSIFIED_COLUMNS``): a third of
        the time of ``dict(zip(columns, row))`` followed by None -> False, which was a
        tenth of a large trace (bench/README.md)."""
        self.env.cr.execute(_call("lot_genealogy_movements", params))
        return [
            {
                "id": line_id,
                "lot_id": lot_id,
                "date": date,
                "quantity": quantity,
                "move_id": move_id,
                "location_id": location_id,
                "location_dest_id": location_dest_id,
                "picking_id": picking_id,
                "reference": reference,
                "company_id": company_id,
                "kind": kind,
                "customer_id": customer_id or False,
                "vendor_id": vendor_id or False,
                "partner_id": partner_id or False,
                "production_id": production_id or False,
                "unbuild_id": unbuild_id or False,
                "sale_id": sale_id or False,
                "purchase_id": purchase_id or False,
            }
            for (
                line_id,
                lot_id,
                date,
                quantity,
                move_id,
                location_id,
                location_dest_id,
                picking_id,
                reference,
                company_id,
                kind,
                customer_id,
                vendor_id,
                partner_id,
                production_id,
                unbuild_id,
                sale_id,
                purchase_id,
            ) in self.env.cr.fetchall()
        ]

    def _fetch_dicts(self, query, columns=None):
        """Rows of ``query`` (an ``SQL``) as dicts.

        :param columns: names of the query's columns, in order: the rows are then built
            from them (``dictfetchall`` reads the cursor's description again for every row,
            about a fifth of the Python time of a large trace)
        """
        self.env.cr.execute(query)
        if columns is None:
            return self.env.cr.dictfetchall()
        return [dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()]

    @staticmethod
    def _depths(root_ids, edges, direction):
        """Shortest number of transformations from the roots to each lot (breadth first)."""
        neighbours = defaultdict(list)
        for edge in edges:
            if direction == "downstream":
                neighbours[edge["in_lot"]].append(edge["out_lot"])
            else:
                neighbours[edge["out_lot"]].append(edge["in_lot"])
        depths = dict.fromkeys(root_ids, 0)
        queue = deque(root_ids)
        while queue:
            lot = queue.popleft()
            for other in neighbours[lot]:
                if other not in depths:
                    depths[other] = depths[lot] + 1
                    queue.append(other)
        return depths

    @api.model
    @api.readonly
    def mass_balance(self, lot_ids):
        """Quantities in and out of each lot, what is on hand and what is unaccounted for.

        :return: ``{lot_id: {kind: quantity, ..., "received", "returned_to_supplier",
            "delivered", "returned", "in", "out", "on_hand", "unaccounted",
            "reconciliation"}}`` with quantities in the lot's product unit (the groups of
            kinds are those of ``tools.move_kinds.KIND_GROUPS``);
            ``reconciliation`` is (out + on hand) / in in percent, None when nothing came in
        :raise AccessError: when the user may not read one of the lots
        """
        return self._mass_balance(self._lot_readable_ids(lot_ids))

    @api.model
    def _mass_balance(self, lot_ids):
        """``mass_balance`` of lots the caller knows the user may read (no access check)."""
        self.env["stock.move.line"].flush_model()
        self.env["stock.quant"].flush_model()
        params = self._params(lot_ids)
        balance = {
            lot_id: dict.fromkeys([kind for kind, _label in MOVEMENT_KINDS], 0.0)
            for lot_id in lot_ids
        }
        self.env.cr.execute(_call("lot_genealogy_balance", params))
        for lot_id, kind, quantity in self.env.cr.fetchall():
            balance[lot_id][kind] = quantity
        on_hand = defaultdict(float)
        self.env.cr.execute(_call("lot_genealogy_on_hand", params))
        for row in self.env.cr.dictfetchall():
            on_hand[row["lot_id"]] += row["quantity"]
        for lot_id, values in balance.items():
            values.update(balance_groups(values))
            values["on_hand"] = on_hand[lot_id]
            values["unaccounted"] = values["in"] - values["out"] - values["on_hand"]
            values["reconciliation"] = (
                100.0 * (values["out"] + values["on_hand"]) / values["in"] if values["in"] else None
            )
        return balance
