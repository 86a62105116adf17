#!/usr/bin/env python3
"""ClickHouse in process (chdb), used like `clickhouse local`: the query on standard input,
rows as JSON Lines (JSONEachRow) on standard output, the error on standard error (exit 1).
`funnel run --engine clickhouse --clickhouse-local "python3 scripts/chdb_local.py"` and the
differential tests run ClickHouse's SQL this way without a server."""
import sys

try:
    import chdb
except ImportError:
    sys.stderr.write("chdb is not installed: make sql-engines (or pip install chdb)\n")
    sys.exit(3)

sql = sys.stdin.read().strip().rstrip(";")
try:
    res = chdb.query(sql, "JSONEachRow")
except Exception as e:  # the engine's own message, for the caller to show
    sys.stderr.write(str(e) + "\n")
    sys.exit(1)
sys.stdout.write(res.data() if hasattr(res, "data") else str(res))
