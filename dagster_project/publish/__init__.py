"""Published report workbooks: what goes in (`report_data`), how it looks (`styles`), the
Vietnamese sheets (`workbook`) and frozen, numbered versions (`versions`)."""
