#!/usr/bin/env python3
"""The user's alternative with DuckDB: only the set operations of a change file on a gzipped CSV export (no
rules, no validation), as SQL, written back as gzipped CSV ordered so each user's rows stay together.
usage: baseline_duckdb.py EXPORT.csv.gz CHANGES.csv.gz OUT.csv.gz"""
import sys
import duckdb

export, changes, out = sys.argv[1:4]
db = duckdb.connect()
db.execute(f"CREATE TABLE e AS SELECT * FROM read_csv('{export}', header=true, all_varchar=true)")
db.execute(f"CREATE TABLE c AS SELECT * FROM read_csv('{changes}', header=true, all_varchar=true)")
same_user = "e.tenant = c.tenant AND lower(e.user) = lower(c.user)"
db.execute(f"DELETE FROM e USING c WHERE c.operation = 'delete' AND {same_user} AND e.method = c.method")
db.execute(f"""DELETE FROM e USING c WHERE c.operation = 'require-reregister' AND {same_user}
               AND e.method IN ('mobilePhone','alternateMobilePhone','officePhone','microsoftAuthenticator','softwareOath')""")
db.execute(f"UPDATE e SET default_method = 'none' FROM c WHERE c.operation = 'require-reregister' AND {same_user}")
db.execute(f"UPDATE e SET value = c.value FROM c WHERE c.operation = 'edit' AND {same_user} AND e.method = c.method")
db.execute(f"UPDATE e SET default_method = c.value FROM c WHERE c.operation = 'set-default' AND {same_user}")
db.execute("""INSERT INTO e SELECT c.tenant, c.user, 'false', 'none', c.method, c.method_id, c.value
              FROM c WHERE c.operation = 'add'""")
db.execute(f"COPY (SELECT * FROM e ORDER BY tenant, lower(user)) TO '{out}' (HEADER, COMPRESSION gzip)")
