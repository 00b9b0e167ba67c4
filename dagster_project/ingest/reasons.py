"""Every reason and warning code, with what a school clerk reads about it.

`message_vi` says what is wrong, `fix_vi` how to fix it (Vietnamese, with diacritics);
`message_en` is a short English gloss for logs and docs. `unit_inactive` is both a file
reason (the sender) and a row reason (a consolidated row's unit): its `level` is 'file'
and it is listed in ROW_CODES too.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    level: str  # 'file' | 'row' | 'warning'
    message_vi: str
    fix_vi: str
    message_en: str


# File checks, in the contract's order (section 7): the first failure is the reason.
FILE_CODES = (
    "unsupported_format",
    "file_too_large",
    "unreadable_file",
    "missing_sheet",
    "mixed_header",
    "missing_unit_code",
    "unknown_unit",
    "missing_period",
    "invalid_period",
    "missing_report_date",
    "invalid_report_date",
    "period_after_report_date",
    "unit_inactive",
    "no_indicator_rows",
)

# Row checks, in the contract's order; duplicate_kpi_row is judged last.
ROW_CODES = (
    "unknown_subject_unit",
    "unit_outside_scope",
    "unit_inactive",
    "unknown_kpi",
    "missing_value",
    "non_numeric",
    "negative_value",
    "binary_out_of_range",
    "numerator_exceeds_denominator",
    "duplicate_kpi_row",
)

WARNING_CODES = (
    "unit_name_mismatch",
    "rate_mismatch",
    "rate_not_numeric",
    "late_submission",
    "duplicate_file",
    "encoding_not_utf8",
    "unknown_column",
    "unknown_scope_value",
    "consolidated_header_not_found",
    "data_after_table_end",
)

_MAU = "mẫu báo cáo DE06"

REASONS: dict[str, Reason] = {
    # --- file level ------------------------------------------------------------------
    "unsupported_format": Reason(
        "file",
        "Định dạng tệp không được hỗ trợ. Hệ thống chỉ nhận tệp Excel (.xlsx), CSV (.csv) "
        "hoặc JSON (.json).",
        "Lưu lại báo cáo theo định dạng .xlsx (Excel: Tệp > Lưu thành > Sổ làm việc Excel) "
        "rồi gửi lại; không gửi tệp .xls, .pdf, .doc, ảnh hay tệp nén.",
        "File extension is not xlsx, csv or json.",
    ),
    "file_too_large": Reason(
        "file",
        "Tệp quá lớn (trên 20 MiB), hệ thống không đọc.",
        "Xóa các sheet, hình ảnh và dữ liệu không thuộc báo cáo, chỉ giữ sheet BaoCao "
        "(và TongHop nếu có) rồi gửi lại.",
        "File is over the size limit (20 MiB).",
    ),
    "unreadable_file": Reason(
        "file",
        "Không đọc được tệp: tệp bị hỏng, có mật khẩu, sai định dạng so với phần mở rộng "
        "hoặc có cấu trúc không an toàn.",
        f"Mở tệp bằng Excel để kiểm tra, bỏ mật khẩu, lưu lại đúng định dạng theo {_MAU} "
        "rồi gửi lại.",
        "File cannot be read (corrupt, encrypted, wrong format, unsafe structure).",
    ),
    "missing_sheet": Reason(
        "file",
        "Tệp Excel không có sheet BaoCao.",
        f"Dùng đúng {_MAU}: số liệu của đơn vị phải nằm ở sheet tên là BaoCao "
        "(không đổi tên sheet).",
        "Workbook has no BaoCao sheet.",
    ),
    "mixed_header": Reason(
        "file",
        "Tệp CSV có nhiều đơn vị gửi, nhiều kỳ báo cáo hoặc nhiều ngày báo cáo khác nhau "
        "(các cột ma_don_vi_bao_cao, ky_bao_cao, ngay_bao_cao phải giống nhau ở mọi dòng).",
        "Tách thành nhiều tệp: mỗi tệp chỉ của một đơn vị gửi cho một tháng, với cùng một "
        "ngày báo cáo trên mọi dòng.",
        "CSV rows disagree on sender, period or report date.",
    ),
    "missing_unit_code": Reason(
        "file",
        "Báo cáo không ghi mã đơn vị.",
        "Ghi mã đơn vị (theo danh mục của Sở/Phòng GDĐT) vào ô bên phải nhãn \"Mã đơn vị\" "
        "(hoặc cột ma_don_vi_bao_cao / trường ma_don_vi).",
        "Unit code is missing.",
    ),
    "unknown_unit": Reason(
        "file",
        "Mã đơn vị không có trong danh mục đơn vị báo cáo.",
        "Kiểm tra lại mã đơn vị (giữ nguyên các số 0 ở đầu, ví dụ 06688) và định dạng ô là "
        "Văn bản (Text); nếu đơn vị mới thành lập, đề nghị cấp trên bổ sung vào danh mục.",
        "Unit code is not in the registry.",
    ),
    "missing_period": Reason(
        "file",
        "Báo cáo không ghi kỳ báo cáo.",
        "Ghi tháng báo cáo vào ô bên phải nhãn \"Kỳ báo cáo\", ví dụ: Tháng 3/2025.",
        "Reporting period is missing.",
    ),
    "invalid_period": Reason(
        "file",
        "Kỳ báo cáo không đúng định dạng.",
        "Ghi kỳ báo cáo theo một trong các dạng: Tháng 3/2025, Tháng 03 năm 2025, T3/2025, "
        "03/2025 hoặc 2025-03.",
        "Reporting period cannot be read.",
    ),
    "missing_report_date": Reason(
        "file",
        "Báo cáo không ghi ngày báo cáo.",
        "Ghi ngày lập báo cáo vào ô bên phải nhãn \"Ngày báo cáo\", dạng ngày/tháng/năm, "
        "ví dụ: 05/04/2025 (có thể kèm giờ: 05/04/2025 16:30).",
        "Report date is missing.",
    ),
    "invalid_report_date": Reason(
        "file",
        "Ngày báo cáo không đúng định dạng hoặc không phải ngày có thật.",
        "Ghi ngày báo cáo dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 05/04/2025 hoặc "
        "05/04/2025 16:30; kiểm tra ngày có tồn tại (không có 31/02).",
        "Report date cannot be read.",
    ),
    "period_after_report_date": Reason(
        "file",
        "Kỳ báo cáo ở sau ngày báo cáo: không thể báo cáo cho một tháng chưa bắt đầu.",
        "Kiểm tra lại kỳ báo cáo (tháng) và ngày báo cáo; thường là ghi nhầm năm hoặc tháng.",
        "The reported month starts after the report date.",
    ),
    "unit_inactive": Reason(
        "file",
        "Đơn vị không còn hoạt động (hoặc chưa hoạt động) trong tháng báo cáo theo danh mục "
        "đơn vị.",
        "Kiểm tra lại mã đơn vị và kỳ báo cáo; nếu đơn vị đã sáp nhập, báo cáo bằng mã của "
        "đơn vị mới. Nếu danh mục sai, đề nghị cấp trên cập nhật.",
        "Unit is not active on any day of the month.",
    ),
    "no_indicator_rows": Reason(
        "file",
        "Báo cáo không có dòng chỉ tiêu nào.",
        f"Điền số liệu vào bảng chỉ tiêu theo {_MAU}: bảng bắt đầu ở dòng tiêu đề có ô "
        "\"Mã chỉ tiêu\"; không để dòng trống giữa tiêu đề và các dòng số liệu.",
        "No indicator row in any section.",
    ),
    # --- row level ---------------------------------------------------------------------
    "unknown_subject_unit": Reason(
        "row",
        "Dòng tổng hợp thiếu mã đơn vị hoặc mã đơn vị không có trong danh mục.",
        "Ghi đúng mã của đơn vị trực thuộc (theo danh mục, giữ các số 0 ở đầu) ở cột "
        "\"Mã đơn vị\".",
        "Consolidated row's unit is empty or not in the registry.",
    ),
    "unit_outside_scope": Reason(
        "row",
        "Đơn vị của dòng này không thuộc phạm vi quản lý của đơn vị gửi báo cáo trong tháng "
        "báo cáo.",
        "Sheet TongHop chỉ ghi số liệu của các đơn vị trực thuộc; số liệu của chính đơn vị "
        "mình ghi ở sheet BaoCao. Kiểm tra lại mã đơn vị của dòng.",
        "Row's unit is not strictly inside the sender's subtree that month.",
    ),
    "unknown_kpi": Reason(
        "row",
        "Mã chỉ tiêu trống hoặc không có trong danh mục chỉ tiêu Đề án 06.",
        f"Dùng đúng mã chỉ tiêu trong {_MAU} (ví dụ TTHC_HS_TRUC_TUYEN); không sửa, không "
        "thêm khoảng trắng vào mã.",
        "Indicator code is empty or unknown.",
    ),
    "missing_value": Reason(
        "row",
        "Thiếu tử số hoặc mẫu số.",
        "Điền đủ tử số và mẫu số; nếu không phát sinh thì ghi 0 (không để trống). Ô công "
        "thức chưa tính được giá trị cũng bị coi là trống: mở tệp bằng Excel và lưu lại.",
        "Numerator or denominator is empty.",
    ),
    "non_numeric": Reason(
        "row",
        "Tử số hoặc mẫu số không phải số nguyên.",
        "Chỉ ghi số nguyên không âm (ví dụ 1234 hoặc 1.234); không ghi số thập phân, chữ, "
        "hay đơn vị tính.",
        "Numerator or denominator is not a whole number.",
    ),
    "negative_value": Reason(
        "row",
        "Tử số hoặc mẫu số là số âm.",
        "Số lượng không thể âm: kiểm tra lại và ghi số không âm.",
        "Numerator or denominator is negative.",
    ),
    "binary_out_of_range": Reason(
        "row",
        "Chỉ tiêu có/không (DV_...) chỉ nhận tử số 0 hoặc 1 và mẫu số 1.",
        "Ghi \"Có\" (hoặc 1, x) nếu đơn vị đã thực hiện, \"Không\" (hoặc 0) nếu chưa; để "
        "trống hoặc ghi 1 ở mẫu số.",
        "Binary indicator outside 0/1.",
    ),
    "numerator_exceeds_denominator": Reason(
        "row",
        "Tử số lớn hơn mẫu số.",
        "Kiểm tra lại số liệu: số đạt (tử số) không thể vượt tổng số (mẫu số).",
        "Numerator exceeds denominator.",
    ),
    "duplicate_kpi_row": Reason(
        "row",
        "Một chỉ tiêu của cùng một đơn vị được ghi nhiều lần trong cùng một phần báo cáo.",
        "Mỗi chỉ tiêu chỉ ghi một dòng cho mỗi đơn vị. Nếu các dòng trùng có số liệu khác "
        "nhau, tất cả đều không được nhận: xóa dòng thừa và gửi lại báo cáo.",
        "Indicator appears more than once for one unit in one section.",
    ),
    # --- warnings ----------------------------------------------------------------------
    "unit_name_mismatch": Reason(
        "warning",
        "Tên đơn vị trong báo cáo khác tên trong danh mục đơn vị (báo cáo vẫn được nhận).",
        "Kiểm tra mã đơn vị có đúng là của đơn vị mình không; nếu đúng, ghi tên đơn vị như "
        "trong danh mục ở các kỳ sau.",
        "Unit name differs from the registry name.",
    ),
    "rate_mismatch": Reason(
        "warning",
        "Tỷ lệ ghi trong báo cáo lệch quá 0,5 điểm phần trăm so với tử số/mẫu số (hệ thống "
        "dùng tử số và mẫu số).",
        "Kiểm tra lại tử số, mẫu số và công thức cột Tỷ lệ (%).",
        "Stated rate is more than 0.5 pp off numerator/denominator.",
    ),
    "rate_not_numeric": Reason(
        "warning",
        "Ô tỷ lệ không phải là số nên không kiểm tra được (hệ thống dùng tử số và mẫu số).",
        "Ghi tỷ lệ dạng số, ví dụ 81,2 hoặc 81,2%, hoặc để trống.",
        "Stated rate is not a number.",
    ),
    "late_submission": Reason(
        "warning",
        "Báo cáo nộp sau hạn (ngày báo cáo sau ngày hạn nộp của tháng).",
        "Nộp báo cáo các tháng sau đúng hạn quy định; báo cáo này vẫn được ghi nhận nhưng "
        "tính là không đúng hạn.",
        "Report date is after the deadline.",
    ),
    "duplicate_file": Reason(
        "warning",
        "Tệp này trùng hoàn toàn với một tệp đã gửi (cùng nội dung) nên chỉ tính một lần.",
        "Không cần gửi lại cùng một tệp; khi sửa số liệu, hãy cập nhật ngày báo cáo.",
        "Identical copy of a file already received at another path.",
    ),
    "encoding_not_utf8": Reason(
        "warning",
        "Tệp không mã hóa UTF-8 (đã đọc được bằng mã hóa khác).",
        "Khi xuất CSV/JSON, chọn mã hóa UTF-8 (Excel: CSV UTF-8).",
        "Text file decoded from a non-UTF-8 encoding.",
    ),
    "unknown_column": Reason(
        "warning",
        "Tệp có cột không thuộc mẫu; cột này được bỏ qua.",
        f"Dùng đúng tên cột theo {_MAU}; kiểm tra tên cột có gõ sai không.",
        "A column not in the template was ignored.",
    ),
    "unknown_scope_value": Reason(
        "warning",
        "Giá trị cột pham_vi không hợp lệ; hệ thống tự xác định phạm vi theo ma_don_vi.",
        "Ghi pham_vi là own (số liệu của chính đơn vị) hoặc consolidated (số liệu tổng hợp "
        "của đơn vị trực thuộc).",
        "pham_vi value not recognised; scope inferred from ma_don_vi.",
    ),
    "consolidated_header_not_found": Reason(
        "warning",
        "Có sheet TongHop nhưng không tìm thấy dòng tiêu đề có cả \"Mã đơn vị\" và "
        "\"Mã chỉ tiêu\": số liệu tổng hợp không được đọc.",
        f"Giữ nguyên dòng tiêu đề của sheet TongHop theo {_MAU}.",
        "TongHop sheet present but its header row was not found.",
    ),
    "data_after_table_end": Reason(
        "warning",
        "Có dòng chỉ tiêu nằm sau dòng trống hoặc dòng Tổng/Cộng kết thúc bảng; các dòng "
        "này không được đọc.",
        "Không để dòng trống hay dòng Tổng cộng xen giữa các dòng chỉ tiêu; đặt dòng tổng "
        "ở cuối bảng rồi gửi lại.",
        "Indicator rows found after the table's end; they were not read.",
    ),
}


def message(code: str) -> str:
    """The Vietnamese message and fix of a code, as one sentence pair for a clerk."""
    reason = REASONS[code]
    return f"{reason.message_vi} {reason.fix_vi}"
