#!/usr/bin/env python3
"""The bench funnel (view -> cart -> purchase within 7 days, per user the furthest step reached,
equal timestamps may chain) computed by DuckDB over a JSON Lines file from gen_events.py
--format jsonl, for `make bench`'s JSON Lines row.  Prints {"engine": "duckdb-jsonl", "counts": [...]}.

    scripts/peer_jsonl.py --jsonl /tmp/ev1m.jsonl [--window 604800]

The query reads the file with read_json (typed columns), keeps the step events, and chains each
step to the latest earlier step of the same user with an ASOF join, carrying the attempt's start:
the latest start reaching a step is the one that can go furthest within the window.
"""
import argparse
import json

STEPS = ["view", "cart", "purchase"]


def query(path, window):
    quoted = "'" + path.replace("'", "''") + "'"
    src = (f"read_json({quoted}, format='newline_delimited', "
           "columns={'event_time': 'TIMESTAMP', 'event_type': 'VARCHAR', 'user_id': 'BIGINT'})")
    cases = " ".join(f"WHEN '{s}' THEN {i + 1}" for i, s in enumerate(STEPS))
    names = ", ".join(f"'{s}'" for s in STEPS)
    parts = [f"ev AS MATERIALIZED (SELECT user_id, epoch(event_time)::BIGINT AS ts, "
             f"(CASE event_type {cases} END)::TINYINT AS step FROM {src} WHERE event_type IN ({names}))",
             "c1 AS (SELECT user_id, ts, ts AS start FROM ev WHERE step = 1)"]
    for i in range(2, len(STEPS) + 1):
        parts.append(f"c{i} AS MATERIALIZED (SELECT e.user_id, e.ts, p.start FROM (SELECT user_id, ts FROM ev WHERE step = {i}) e "
                     f"ASOF JOIN c{i - 1} p ON e.user_id = p.user_id AND e.ts >= p.ts WHERE e.ts - p.start <= {window})")
    levels = " UNION ALL ".join(f"SELECT DISTINCT user_id, {i} AS lv FROM c{i}" for i in range(1, len(STEPS) + 1))
    counts = ", ".join(f"count(DISTINCT user_id) FILTER (WHERE lv >= {i})" for i in range(1, len(STEPS) + 1))
    return f"WITH {', '.join(parts)}, lv AS (SELECT user_id, max(lv) AS lv FROM ({levels}) GROUP BY user_id) SELECT {counts} FROM lv"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jsonl", required=True)
    ap.add_argument("--window", type=int, default=7 * 86400)
    args = ap.parse_args()
    import duckdb
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    row = con.execute(query(args.jsonl, args.window)).fetchone()
    print(json.dumps({"engine": "duckdb-jsonl", "steps": STEPS, "window_s": args.window, "counts": list(row)}))


if __name__ == "__main__":
    main()
