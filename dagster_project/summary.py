"""The run summary printed after `make run`, read from the warehouse (read-only)."""

from pathlib import Path

import duckdb


def summary_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    lines = []
    files = con.execute(
        """
        select count(*) filter (where status <> 'rejected'),
               count(*) filter (where status = 'rejected'),
               count(*) filter (where status = 'current'),
               count(*) filter (where status = 'superseded'),
               coalesce(sum(rows_accepted), 0), coalesce(sum(rows_quarantined), 0),
               coalesce(sum(copies_received), 0)
        from audit.submissions
        """
    ).fetchone()
    lines.append(
        f"files: {files[0]} accepted ({files[2]} current, {files[3]} superseded), "
        f"{files[1]} rejected; {files[6]} paths received"
    )
    lines.append(f"rows: {files[4]} accepted, {files[5]} quarantined")
    for label, sql in (
        (
            "rejected files by reason",
            "select reason_code, count(*) from audit.submissions where status = 'rejected' "
            "group by 1 order by 2 desc, 1",
        ),
        (
            "quarantined rows by reason",
            "select reason_code, count(*) from audit.quarantine_rows group by 1 order by 2 desc, 1",
        ),
        ("warnings", "select warning_code, count(*) from audit.warnings group by 1 order by 2 desc, 1"),
    ):
        rows = con.execute(sql).fetchall()
        if rows:
            lines.append(f"{label}: " + ", ".join(f"{code} {n}" for code, n in rows))
    marts = con.execute(
        """
        select table_name, estimated_size from duckdb_tables()
        where schema_name = 'marts' order by table_name
        """
    ).fetchall()
    if marts:
        lines.append("marts: " + ", ".join(f"{name} ({n} rows)" for name, n in marts))
    return lines


def months_found(warehouse: Path) -> list[str]:
    """Months (first days, ISO) with an accepted submission, read-only."""
    if not Path(warehouse).exists():
        return []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select distinct month from raw.submissions where accepted and month is not null "
            "order by month"
        ).fetchall()
    finally:
        con.close()
    return [m.isoformat() for (m,) in rows]


def print_summary(warehouse: Path) -> None:
    if not Path(warehouse).exists():
        print("DE06: no warehouse yet.")
        return
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        print("DE06 summary")
        for line in summary_lines(con):
            print(f"  {line}")
    except duckdb.CatalogException as exc:
        print(f"DE06: warehouse incomplete ({exc}).")
    finally:
        con.close()
