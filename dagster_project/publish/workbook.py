"""The report workbooks: what each Vietnamese sheet says, laid out with `styles`.

`build_province_workbook(report)`: TongHop, TheoDiaBan, TheoTruong, TienDoBaoCao,
DoiChieu, ChatLuong. `build_district_workbook(report)`: the same without TheoDiaBan, on
the district's or commune's own schools. Every cell is written through `styles.put`, so
names, codes and notes from the registry or a submission always stay text.
"""

from dagster_project.publish import styles as st
from dagster_project.publish.report_data import AreaReport, DistrictReport, ProvinceReport
from dagster_project.quality.xlsx_safe import clean_text

PLAN_TITLE = "Kế hoạch triển khai Đề án 06 ngành Giáo dục"
REPORT_TITLE = "BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐỀ ÁN 06"

SHEET_SUMMARY = "TongHop"
SHEET_AREAS = "TheoDiaBan"
SHEET_SCHOOLS = "TheoTruong"
SHEET_PROGRESS = "TienDoBaoCao"
SHEET_RECONCILIATION = "DoiChieu"
SHEET_QUALITY = "ChatLuong"
SHEET_COMPARISON = "SoSanhDiaGioiMoi"
PROVINCE_SHEETS = (
    SHEET_SUMMARY, SHEET_AREAS, SHEET_SCHOOLS, SHEET_PROGRESS, SHEET_RECONCILIATION, SHEET_QUALITY,
    SHEET_COMPARISON,
)  # fmt: skip
DISTRICT_SHEETS = (SHEET_SUMMARY, SHEET_SCHOOLS, SHEET_PROGRESS, SHEET_RECONCILIATION, SHEET_QUALITY)

C = st.Column
SUMMARY_COLUMNS = [
    C("STT", 5, center=True),
    C("Mã chỉ tiêu", 28),
    C("Tên chỉ tiêu", 46, wrap=True),
    C("Cách tính trong kỳ", 15, wrap=True),
    C("Tử số", 12, st.INTEGER),
    C("Mẫu số", 12, st.INTEGER),
    C("Tỷ lệ", 10, st.PERCENT),
    C("Chỉ tiêu kế hoạch", 11, st.PERCENT),
    C("Đánh giá", 14, center=True),
    C("Số đơn vị có số liệu", 11, st.INTEGER),
    C("Tỷ lệ kỳ trước", 12, st.PERCENT),
    C("Thay đổi so với kỳ trước (điểm %)", 14, st.POINTS),
]
AREA_COLUMNS = [
    C("STT", 6, center=True),
    C("Mã địa bàn", 10),
    C("Tên địa bàn", 26, wrap=True),
    C("Cấp", 11),
    C("Mã chỉ tiêu", 28),
    C("Tên chỉ tiêu", 44, wrap=True),
    C("Tử số", 12, st.INTEGER),
    C("Mẫu số", 12, st.INTEGER),
    C("Tỷ lệ", 10, st.PERCENT),
    C("Chỉ tiêu kế hoạch", 11, st.PERCENT),
    C("Đánh giá", 14, center=True),
    C("Số đơn vị có số liệu", 11, st.INTEGER),
]
SCHOOL_COLUMNS = [
    C("STT", 6, center=True),
    C("Mã trường", 12),
    C("Tên trường", 30, wrap=True),
    C("Cấp học", 10),
    C("Đơn vị quản lý", 24, wrap=True),
    C("Mã chỉ tiêu", 28),
    C("Tên chỉ tiêu", 40, wrap=True),
    C("Tử số", 11, st.INTEGER),
    C("Mẫu số", 11, st.INTEGER),
    C("Tỷ lệ", 10, st.PERCENT),
    C("Nguồn số liệu", 26, wrap=True),
    C("Tháng có số liệu", 18, wrap=True),
]
MONTH_COLUMNS = [
    C("Tháng", 14),
    C("Số đơn vị phải báo cáo", 13, st.INTEGER),
    C("Số đơn vị đã báo cáo", 13, st.INTEGER),
    C("Số đơn vị báo cáo đúng hạn", 13, st.INTEGER),
    C("Tỷ lệ đã báo cáo", 12, st.PERCENT),
    C("Tỷ lệ báo cáo đúng hạn", 12, st.PERCENT),
]
AREA_MONTH_COLUMNS = [
    C("Mã địa bàn", 10),
    C("Tên địa bàn", 26, wrap=True),
    C("Tháng", 14),
    C("Số đơn vị phải báo cáo", 13, st.INTEGER),
    C("Số đơn vị đã báo cáo", 13, st.INTEGER),
    C("Số đơn vị báo cáo đúng hạn", 13, st.INTEGER),
    C("Tỷ lệ đã báo cáo", 12, st.PERCENT),
    C("Tỷ lệ báo cáo đúng hạn", 12, st.PERCENT),
]
MISSING_COLUMNS = [
    C("STT", 6, center=True),
    C("Tháng", 14),
    C("Mã đơn vị", 12),
    C("Tên đơn vị", 30, wrap=True),
    C("Loại đơn vị", 16, wrap=True),
    C("Đơn vị quản lý", 24, wrap=True),
    C("Hạn báo cáo", 12, st.DATE),
    C("Ngày báo cáo đầu tiên", 16, st.DATETIME),
    C("Tình trạng", 20, wrap=True),
]
RECONCILIATION_COLUMNS = [
    C("STT", 6, center=True),
    C("Tháng", 14),
    C("Mã đơn vị", 12),
    C("Tên đơn vị", 28, wrap=True),
    C("Mã chỉ tiêu", 28),
    C("Tên chỉ tiêu", 36, wrap=True),
    C("Tử số đơn vị tự báo cáo", 12, st.INTEGER),
    C("Mẫu số đơn vị tự báo cáo", 12, st.INTEGER),
    C("Mã đơn vị tổng hợp", 11),
    C("Tên đơn vị tổng hợp", 24, wrap=True),
    C("Tử số cấp trên tổng hợp", 12, st.INTEGER),
    C("Mẫu số cấp trên tổng hợp", 12, st.INTEGER),
    C("Tình trạng", 22, wrap=True),
]
QUALITY_COLUMNS = [
    C("STT", 6, center=True),
    C("Mã vấn đề", 13),
    C("Mức độ", 13),
    C("Bảng được kiểm tra", 30, wrap=True),
    C("Nội dung kiểm tra", 50, wrap=True),
    C("Số bản ghi không đạt", 12, st.INTEGER),
    C("Cách xử lý", 50, wrap=True),
]


def _d(day) -> str:
    return day.strftime("%d/%m/%Y")


def _titles(report: AreaReport, heading: str) -> list[tuple[str, str]]:
    if report.area_type == "province":
        where = f"Địa bàn: {report.area_name}"
    else:
        where = f"Địa bàn: {report.area_name} ({report.area_type_vi}), {report.province_name}"
    period = report.period
    return [
        ("title", PLAN_TITLE),
        ("subtitle", heading),
        ("subtitle", where),
        ("note", f"Kỳ báo cáo: {period.label_vi} (từ ngày {_d(period.period_start)} đến ngày {_d(period.period_end)})"),
    ]


def _page_header(report: AreaReport) -> str:
    return f"{report.area_name} - {report.period.label_vi}"


def _finish(ws, report: AreaReport, header: int, columns: list[st.Column], last: int,
            freeze_column: int = 1, title_rows: tuple[int, int] | None = None) -> None:  # fmt: skip
    st.freeze(ws, header + 1, freeze_column)
    st.auto_filter(ws, header, last, len(columns))
    st.print_setup(ws, title_rows or (header, header), _page_header(report))


# --- sheets ------------------------------------------------------------------------------


def _summary_sheet(wb: st.ReportWorkbook, report: AreaReport) -> None:
    ws = wb.create_sheet(SHEET_SUMMARY)
    row = st.title_block(ws, _titles(report, REPORT_TITLE), len(SUMMARY_COLUMNS))
    columns = list(SUMMARY_COLUMNS)
    columns[10] = st.Column(f"Tỷ lệ kỳ trước ({report.previous.label_vi})", 14, st.PERCENT)
    rows = [
        [
            n, r.indicator.kpi_code, r.indicator.name_vi, r.indicator.kind_vi, r.numerator, r.denominator,
            r.value, r.target, r.status_vi, r.reporting_units, r.previous_value, r.change_points,
        ]  # fmt: skip
        for n, r in enumerate(report.summary, start=1)
    ]
    header, last = st.write_table(ws, row + 1, columns, rows, fills=lambda v: {9: st.status_fill(v[8])})
    _finish(ws, report, header, columns, last, freeze_column=4, title_rows=(1, header))
    row = last + 2
    for text in (
        "Tỷ lệ = Tử số / Mẫu số, tính trên tổng tử số và tổng mẫu số của mọi đơn vị trong địa bàn "
        "(kể cả cơ quan quản lý), không lấy trung bình các tỷ lệ.",
        "Chỉ tiêu cộng dồn: cộng số liệu các tháng trong kỳ; chỉ tiêu tại thời điểm: số liệu tháng gần nhất "
        "trong kỳ có báo cáo của từng đơn vị.",
        f"Đánh giá: “Đạt” khi tỷ lệ không thấp hơn chỉ tiêu kế hoạch năm {report.period.period_start.year}; "
        "thay đổi so với kỳ trước tính bằng điểm phần trăm.",
    ):
        row = st.note(ws, row, text)
    if rows:
        st.bar_chart_value_vs_target(
            ws, f"B{row + 1}", (2, header + 1, last), value_col=7, target_col=8, header_row_=header,
            title=f"Tỷ lệ thực hiện so với chỉ tiêu kế hoạch - {report.period.label_vi}",
        )  # fmt: skip


def _areas_sheet(wb: st.ReportWorkbook, report: ProvinceReport) -> None:
    ws = wb.create_sheet(SHEET_AREAS)
    row = st.title_block(ws, _titles(report, "KẾT QUẢ THỰC HIỆN THEO ĐỊA BÀN CẤP HUYỆN, CẤP XÃ"), 8)
    rows = [
        [
            n, r.area_code, r.area_name, r.area_type_vi, r.indicator.kpi_code, r.indicator.name_vi,
            r.numerator, r.denominator, r.value, r.target, r.status_vi, r.reporting_units,
        ]  # fmt: skip
        for n, r in enumerate(report.areas, start=1)
    ]
    header, last = st.write_table(
        ws, row + 1, AREA_COLUMNS, rows, fills=lambda v: {11: st.status_fill(v[10])},
        empty_text="Không có số liệu theo địa bàn trong kỳ.",
    )  # fmt: skip
    _finish(ws, report, header, AREA_COLUMNS, last, freeze_column=4)


def _schools_sheet(wb: st.ReportWorkbook, report: AreaReport) -> None:
    ws = wb.create_sheet(SHEET_SCHOOLS)
    row = st.title_block(ws, _titles(report, "KẾT QUẢ THỰC HIỆN THEO CƠ SỞ GIÁO DỤC"), 8)
    row = st.note(
        ws, row,
        "Nguồn số liệu: Đơn vị tự báo cáo; nếu đơn vị không báo cáo chỉ tiêu thì lấy số Cấp trên trực tiếp "
        "tổng hợp, sau đó Cấp trên hai bậc tổng hợp.",
    )  # fmt: skip
    rows = []
    for n, r in enumerate(report.schools, start=1):
        ind = r.indicator
        rows.append([
            n, r.unit_code, r.unit_name, r.school_level_vi, r.parent_name,
            ind.kpi_code if ind else None, ind.name_vi if ind else None,
            r.numerator, r.denominator, r.value, r.source_vi, r.months_vi or None,
        ])  # fmt: skip
    header, last = st.write_table(
        ws, row + 1, SCHOOL_COLUMNS, rows,
        fills=lambda v: {11: st.WARN_FILL} if v[5] is None else None,
        empty_text="Không có cơ sở giáo dục nào trong địa bàn trong kỳ.",
    )  # fmt: skip
    _finish(ws, report, header, SCHOOL_COLUMNS, last, freeze_column=4)


def _progress_sheet(wb: st.ReportWorkbook, report: AreaReport) -> None:
    ws = wb.create_sheet(SHEET_PROGRESS)
    titles_end = st.title_block(ws, _titles(report, "TIẾN ĐỘ BÁO CÁO: TỶ LỆ ĐÃ BÁO CÁO VÀ BÁO CÁO ĐÚNG HẠN"), 9)
    row = st.section_title(ws, titles_end + 1, f"1. Theo tháng - {report.area_name}")
    rows = [
        [r.month_vi, r.expected_units, r.received_units, r.on_time_units, r.completeness, r.timeliness]
        for r in report.completeness
    ]
    header, last = st.write_table(
        ws, row, MONTH_COLUMNS, rows, empty_text="Không có đơn vị phải báo cáo trong kỳ."
    )
    row = last + 2
    if rows:
        st.line_chart_over_months(
            ws, f"A{row}", (1, header + 1, last), [5, 6], header,
            f"Tỷ lệ đã báo cáo và đúng hạn - {report.area_name}",
        )  # fmt: skip
        row += 17  # the chart's height in rows
    section = 2
    if isinstance(report, ProvinceReport):
        row = st.section_title(ws, row, f"{section}. Theo địa bàn cấp huyện, cấp xã")
        section += 1
        area_rows = [
            [r.area_code, r.area_name, r.month_vi, r.expected_units, r.received_units, r.on_time_units,
             r.completeness, r.timeliness]
            for r in report.area_completeness
        ]  # fmt: skip
        _, last = st.write_table(ws, row, AREA_MONTH_COLUMNS, area_rows, empty_text="Không có số liệu.")
        row = last + 2
    row = st.section_title(ws, row, f"{section}. Đơn vị chưa báo cáo hoặc báo cáo muộn")
    missing = [
        [n, _month(m.month), m.unit_code, m.unit_name, m.unit_type_vi, m.parent_name, m.due_date,
         m.first_report_date, m.status_vi]
        for n, m in enumerate(report.missing_units, start=1)
    ]  # fmt: skip
    st.write_table(
        ws, row, MISSING_COLUMNS, missing,
        fills=lambda v: {9: st.NOT_MET_FILL if v[7] is None else st.WARN_FILL},
        empty_text="Mọi đơn vị đã báo cáo đúng hạn.",
    )  # fmt: skip
    st.freeze(ws, titles_end + 1)
    st.print_setup(ws, (1, titles_end - 1), _page_header(report))


def _month(day) -> str:
    return f"Tháng {day.month}/{day.year}"


def _reconciliation_sheet(wb: st.ReportWorkbook, report: AreaReport) -> None:
    ws = wb.create_sheet(SHEET_RECONCILIATION)
    row = st.title_block(ws, _titles(report, "ĐỐI CHIẾU SỐ LIỆU ĐƠN VỊ TỰ BÁO CÁO VỚI SỐ CẤP TRÊN TỔNG HỢP"), 8)
    row = st.note(
        ws, row,
        "Chỉ liệt kê các chênh lệch: số liệu không khớp, đơn vị chưa tự báo cáo, hoặc cấp trên trực tiếp "
        "có bảng tổng hợp nhưng chưa tổng hợp đơn vị.",
    )  # fmt: skip
    rows = [
        [
            n, _month(r.month), r.unit_code, r.unit_name, r.indicator.kpi_code, r.indicator.name_vi,
            r.self_numerator, r.self_denominator, r.reported_by, r.reported_by_name,
            r.reported_numerator, r.reported_denominator, r.status_vi,
        ]  # fmt: skip
        for n, r in enumerate(report.reconciliation, start=1)
    ]
    header, last = st.write_table(
        ws, row + 1, RECONCILIATION_COLUMNS, rows,
        fills=lambda v: {13: st.NOT_MET_FILL if v[12] == "Số liệu không khớp" else st.WARN_FILL},
        empty_text="Không có chênh lệch giữa số liệu tự báo cáo và số tổng hợp trong kỳ.",
    )  # fmt: skip
    _finish(ws, report, header, RECONCILIATION_COLUMNS, last, freeze_column=5)


def _quality_sheet(wb: st.ReportWorkbook, report: AreaReport) -> None:
    ws = wb.create_sheet(SHEET_QUALITY)
    row = st.title_block(ws, _titles(report, "TÌNH HÌNH CHẤT LƯỢNG DỮ LIỆU"), 7)
    quality = report.quality
    late = sum(1 for m in report.missing_units if m.is_late)
    facts = [
        f"Lượt đơn vị chưa báo cáo trong kỳ: {len(report.missing_units) - late}; báo cáo muộn: {late}.",
        f"Số chênh lệch khi đối chiếu số liệu tổng hợp: {len(report.reconciliation)}.",
    ]
    if not quality.available:
        facts.append("Chưa có kết quả kiểm tra chất lượng dữ liệu (chưa chạy bước kiểm tra).")
    else:
        critical = sum(1 for p in quality.problems if p.severity == "critical")
        facts.append(
            f"Vấn đề chất lượng dữ liệu đang mở (toàn kho dữ liệu): {len(quality.problems)} "
            f"(nghiêm trọng: {critical}, cảnh báo: {len(quality.problems) - critical})."
        )
    for text in facts:
        row = st.note(ws, row, text)
    if not quality.available:
        st.widen(ws, [c.width for c in QUALITY_COLUMNS])
        st.print_setup(ws, None, _page_header(report))
        st.freeze(ws, row)
        return
    rows = [
        [n, p.id, p.severity_vi, p.suite, p.what_vi, p.unexpected_count, p.how_to_resolve_vi]
        for n, p in enumerate(quality.problems, start=1)
    ]
    header, last = st.write_table(
        ws, row + 1, QUALITY_COLUMNS, rows,
        fills=lambda v: {3: st.NOT_MET_FILL if v[2] == "Nghiêm trọng" else st.WARN_FILL},
        empty_text="Không có vấn đề chất lượng dữ liệu đang mở.",
    )  # fmt: skip
    _finish(ws, report, header, QUALITY_COLUMNS, last)


# --- workbooks ---------------------------------------------------------------------------


COMPARISON_COLUMNS = [
    C("STT", 6, center=True),
    C("Mã chỉ tiêu", 28),
    C("Tên chỉ tiêu", 44, wrap=True),
    C("Tử số", 12, st.INTEGER),
    C("Mẫu số", 12, st.INTEGER),
    C("Tỷ lệ", 11, st.PERCENT),
    C("Chỉ tiêu kế hoạch", 11, st.PERCENT),
    C("Tử số cùng kỳ năm trước", 12, st.INTEGER),
    C("Mẫu số cùng kỳ năm trước", 12, st.INTEGER),
    C("Tỷ lệ cùng kỳ năm trước", 11, st.PERCENT),
    C("Thay đổi (điểm %)", 11, st.POINTS),
]


def _comparison_sheet(wb: st.ReportWorkbook, report: AreaReport) -> None:
    """This period against the same period last year, both on today's boundaries."""
    ws = wb.create_sheet(SHEET_COMPARISON)
    heading = "SO SÁNH CÙNG KỲ NĂM TRƯỚC THEO ĐỊA GIỚI HÀNH CHÍNH HIỆN NAY"
    row = st.title_block(ws, _titles(report, heading), len(COMPARISON_COLUMNS))
    rows = [
        [n, r.indicator.kpi_code, r.indicator.name_vi, r.numerator, r.denominator, r.value, r.target,
         r.last_year_numerator, r.last_year_denominator, r.last_year_value, r.change_points]
        for n, r in enumerate(report.comparison, start=1)
    ]  # fmt: skip
    if report.merged_into:
        empty = (f"{report.area_name} không còn là đơn vị hành chính hiện nay; số liệu theo địa giới "
                 f"hiện nay nằm trong báo cáo của tỉnh/thành phố mã {report.merged_into}.")  # fmt: skip
    else:
        empty = "Không có số liệu theo địa giới hiện nay trong kỳ."
    header, last = st.write_table(ws, row + 1, COMPARISON_COLUMNS, rows, empty_text=empty)
    _finish(ws, report, header, COMPARISON_COLUMNS, last, freeze_column=3)
    st.note(ws, last + 2, "Số liệu của cả hai kỳ được cộng dồn theo cây đơn vị hiện nay (sau sắp xếp "
            "đơn vị hành chính từ 01/7/2025), để so sánh được với hiện tại.")  # fmt: skip


def _workbook(report: AreaReport) -> st.ReportWorkbook:
    wb = st.ReportWorkbook()
    wb.remove(wb.active)
    wb.properties.title = clean_text(f"{REPORT_TITLE} - {report.area_name} - {report.period.label_vi}")[:250]
    wb.properties.subject = PLAN_TITLE
    wb.properties.creator = "Kho dữ liệu Đề án 06 ngành Giáo dục"
    wb.properties.language = "vi-VN"
    return wb


def build_province_workbook(report: ProvinceReport) -> st.ReportWorkbook:
    """The province's published report (sheets in `PROVINCE_SHEETS` order)."""
    wb = _workbook(report)
    _summary_sheet(wb, report)
    _areas_sheet(wb, report)
    _schools_sheet(wb, report)
    _progress_sheet(wb, report)
    _reconciliation_sheet(wb, report)
    _quality_sheet(wb, report)
    _comparison_sheet(wb, report)
    return wb


def build_district_workbook(report: DistrictReport) -> st.ReportWorkbook:
    """A district's or commune's published report on its own schools."""
    wb = _workbook(report)
    _summary_sheet(wb, report)
    _schools_sheet(wb, report)
    _progress_sheet(wb, report)
    _reconciliation_sheet(wb, report)
    _quality_sheet(wb, report)
    return wb
