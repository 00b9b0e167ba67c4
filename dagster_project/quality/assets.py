"""Feedback to the senders: a Vietnamese workbook per problem submission (phiếu phản hồi)."""

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MaterializeResult, asset

from dagster_project.partitions import reporting_months
from dagster_project.quality.feedback import write_all_feedback
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource
from dagster_project.settings import get_settings

QUALITY_GROUP = "quality"


@asset(
    key=AssetKey(["reports", "feedback_workbooks"]),
    deps=[
        AssetKey(["audit", "submissions"]),
        AssetKey(["audit", "quarantine_rows"]),
        AssetKey(["audit", "warnings"]),
    ],
    group_name=QUALITY_GROUP,
    kinds={"excel"},
    partitions_def=reporting_months,
    backfill_policy=BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
)
def feedback_workbooks(context: AssetExecutionContext, warehouse: WarehouseResource):
    """One workbook per rejected file or file with quarantined rows, under
    `<reports>/feedback/<unit_code>/`: each problem with its sheet, row, indicator, value,
    reason and how to fix it, so the clerk can correct the file from it alone."""
    reports_dir = get_settings().reports_dir
    with warehouse.get_connection(read_only=True) as con:
        summary = write_all_feedback(con, reports_dir, include_warnings=False)
    context.log.info(
        f"feedback: {summary['workbooks']} workbooks ({summary['changed']} changed, "
        f"{summary['removed']} removed) under {reports_dir / 'feedback'}"
    )
    return MaterializeResult(
        metadata={
            "workbooks": summary["workbooks"],
            "changed": summary["changed"],
            "rejected_files": summary["rejected"],
            "rows_listed": summary["rows_listed"],
            "removed": summary["removed"],
        }
    )
