"""Reading tables back from the workbooks we write."""


def table(ws, header_text="STT", first_col=1):
    """(header row index, headers, data rows as dicts) of the first table on a sheet whose
    header starts with `header_text` in column `first_col`."""
    header = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=first_col).value == header_text
    )
    names = [ws.cell(row=header, column=c).value for c in range(1, ws.max_column + 1)]
    rows = []
    for r in range(header + 1, ws.max_row + 1):
        values = [ws.cell(row=r, column=c).value for c in range(1, len(names) + 1)]
        if values[first_col - 1] is None:
            break
        rows.append(dict(zip(names, values)))
    return header, names, rows
