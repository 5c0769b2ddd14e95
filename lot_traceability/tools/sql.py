"""Set-based writes shared by the suite's models."""

from odoo.tools import SQL


def insert_rows(env, model_name, rows):
    """Insert ``rows`` (dicts with the same columns) into the table of ``model_name`` in
    one statement, one array per column (``INSERT ... SELECT * FROM unnest(...)``).

    The ORM's ``create`` takes seconds for tens of thousands of rows (a recall's
    deliveries), this a fraction of it (``bench/``). The rows hold every required column,
    defaults included; the access log columns are filled here. Nothing is checked and no
    cache is invalidated: the caller does both.
    """
    if not rows:
        return
    model = env[model_name]
    values = {column: [row[column] for row in rows] for column in rows[0]}
    if model._log_access:
        now = env.cr.now()
        values.update(
            create_uid=[env.uid] * len(rows),
            write_uid=[env.uid] * len(rows),
            create_date=[now] * len(rows),
            write_date=[now] * len(rows),
        )
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT * FROM unnest(%s)",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(column) for column in values),
            SQL(", ").join(
                SQL(f"%s::{model._fields[column].column_type[1]}[]", array)
                for column, array in values.items()
            ),
        )
    )
