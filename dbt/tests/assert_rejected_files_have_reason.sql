-- Every rejected file has a reason; every accepted one accounts for all its rows.
select submission_id, status, reason_code, rows_total, rows_accepted, rows_quarantined
from {{ ref('audit_submissions') }}
where (status = 'rejected' and reason_code is null)
   or (status <> 'rejected' and rows_total <> rows_accepted + rows_quarantined)
