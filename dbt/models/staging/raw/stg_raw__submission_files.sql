select
    submission_id,
    file_path,
    first_seen_at
from {{ source('raw', 'submission_files') }}
