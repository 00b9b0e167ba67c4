{{ config(alias='quarantine_rows') }}
-- Every row set aside, with its reason code, what was found, and the message for the sender.
select
    q.submission_id,
    q.sheet,
    q.row_number,
    q.scope,
    q.unit_code,
    q.kpi_code,
    q.reason_code,
    q.detail,
    q.raw_numerator,
    q.raw_denominator,
    r.message_vi,
    r.fix_vi
from {{ ref('stg_raw__quarantine_rows') }} as q
left join {{ ref('stg_reference__reason_codes') }} as r using (reason_code)
