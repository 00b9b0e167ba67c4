"""DE06 warehouse: Dagster code location for the education sector's Đề án 06 reporting."""
