"""The indicator list (contract section 3) and the target facts (section 1)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    code: str
    name_vi: str
    kind: str  # 'flow' | 'stock'
    binary: bool
    numerator_vi: str
    denominator_vi: str


KPIS: tuple[Kpi, ...] = (
    Kpi("TTHC_HS_TRUC_TUYEN", "Tỷ lệ hồ sơ thủ tục hành chính tiếp nhận trực tuyến", "flow", False,
        "Số hồ sơ tiếp nhận trực tuyến", "Tổng số hồ sơ tiếp nhận"),
    Kpi("TTHC_THANH_TOAN_TRUC_TUYEN", "Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia", "flow", False,
        "Số giao dịch thanh toán trực tuyến", "Tổng số giao dịch thanh toán"),
    Kpi("TTHC_TAI_SU_DUNG_DU_LIEU", "Tỷ lệ hồ sơ tái sử dụng dữ liệu đã số hóa", "flow", False,
        "Số hồ sơ tái sử dụng dữ liệu", "Tổng số hồ sơ đã giải quyết"),
    Kpi("TTHC_MAU_DON_CHUAN_HOA", "Tỷ lệ mẫu đơn, tờ khai được chuẩn hóa theo CSDL quốc gia về dân cư", "stock", False,
        "Số mẫu đơn đã chuẩn hóa", "Tổng số mẫu đơn có thông tin công dân"),
    Kpi("TTHC_SO_HOA_HO_SO", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "flow", False,
        "Số hồ sơ, kết quả được số hóa", "Tổng số hồ sơ đã giải quyết"),
    Kpi("TTHC_DVC_TOAN_TRINH", "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình", "stock", False,
        "Số thủ tục cung cấp toàn trình", "Tổng số thủ tục đủ điều kiện"),
    Kpi("TTHC_DONG_BO_KET_QUA", "Tỷ lệ kết quả giải quyết được đồng bộ lên Cổng Dịch vụ công quốc gia", "flow", False,
        "Số kết quả đã đồng bộ", "Tổng số kết quả đã cấp"),
    Kpi("TTHC_KET_QUA_DIEN_TU", "Tỷ lệ cấp kết quả giải quyết thủ tục hành chính điện tử", "flow", False,
        "Số kết quả điện tử", "Tổng số kết quả đã cấp"),
    Kpi("TTHC_PAKN_DUNG_HAN", "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn", "flow", False,
        "Số phản ánh, kiến nghị xử lý đúng hạn", "Tổng số phản ánh, kiến nghị đến hạn"),
    Kpi("TTHC_CONG_KHAI_DUNG_HAN", "Công khai thủ tục hành chính đúng hạn", "flow", False,
        "Số thủ tục công khai đúng hạn", "Tổng số thủ tục phải công khai"),
    Kpi("TTHC_LUU_TRU_DIEN_TU", "Tỷ lệ kết quả được lưu trữ điện tử vào kho dữ liệu cá nhân", "flow", False,
        "Số kết quả lưu trữ điện tử", "Tổng số kết quả cấp cho cá nhân"),
    Kpi("TTHC_HAI_LONG", "Mức độ hài lòng của người dân khi giải quyết thủ tục hành chính", "flow", False,
        "Số lượt đánh giá hài lòng", "Tổng số lượt đánh giá"),
    Kpi("TTHC_GAN_DINH_DANH", "Tỷ lệ hồ sơ được gắn số định danh cá nhân", "flow", False,
        "Số hồ sơ gắn số định danh", "Tổng số hồ sơ tiếp nhận"),
    Kpi("CSGD_THANH_TOAN_KDTM", "Tỷ lệ thu học phí, các khoản thu không dùng tiền mặt", "flow", False,
        "Số giao dịch không dùng tiền mặt", "Tổng số giao dịch thu"),
    Kpi("CSGD_CHU_KY_SO", "Tỷ lệ cán bộ, giáo viên có chữ ký số", "stock", False,
        "Số người có chữ ký số", "Tổng số cán bộ, giáo viên, nhân viên"),
    Kpi("CSGD_VAN_BAN_DIEN_TU", "Tỷ lệ cán bộ xử lý văn bản điện tử có ký số", "stock", False,
        "Số người xử lý văn bản điện tử", "Tổng số cán bộ, giáo viên, nhân viên"),
    Kpi("CSGD_HOC_BA_SO", "Tỷ lệ học sinh có học bạ số", "stock", False,
        "Số học sinh có học bạ số", "Tổng số học sinh"),
    Kpi("CSGD_CCCD_HOC_SINH", "Tỷ lệ học sinh trong độ tuổi được cấp căn cước gắn chip", "stock", False,
        "Số học sinh đã có căn cước", "Số học sinh trong độ tuổi"),
    Kpi("CSGD_CSDL_HOC_SINH", "Tỷ lệ học sinh có hồ sơ đầy đủ trên CSDL ngành", "stock", False,
        "Số học sinh có hồ sơ đầy đủ", "Tổng số học sinh"),
    Kpi("CSGD_XAC_THUC_HOC_SINH", "Tỷ lệ hồ sơ học sinh được xác thực với CSDL quốc gia về dân cư", "stock", False,
        "Số hồ sơ học sinh đã xác thực", "Tổng số học sinh"),
    Kpi("CSGD_XAC_THUC_CAN_BO", "Tỷ lệ hồ sơ cán bộ, giáo viên được xác thực với CSDL quốc gia về dân cư", "stock", False,
        "Số hồ sơ cán bộ đã xác thực", "Tổng số cán bộ, giáo viên, nhân viên"),
    Kpi("DV_QUAN_TRIET", "Tổ chức quán triệt, tuyên truyền Đề án 06", "stock", True, "Có/Không", ""),
    Kpi("DV_KDTM", "Đơn vị triển khai thanh toán không dùng tiền mặt", "stock", True, "Có/Không", ""),
    Kpi("DV_HOC_BA_SO", "Đơn vị triển khai học bạ số", "stock", True, "Có/Không", ""),
    Kpi("DV_QLTH_KET_NOI", "Phần mềm quản lý trường học kết nối CSDL ngành (mô hình 33/31)", "stock", True, "Có/Không", ""),
    Kpi("DV_VNEID_SSO", "Giáo viên đăng nhập một lần bằng VNeID (thí điểm)", "stock", True, "Có/Không", ""),
    Kpi("DV_THI_CCCD", "Tổ chức thi có xác thực bằng căn cước gắn chip (mô hình 22/21, thí điểm)", "stock", True,
        "Có/Không", ""),
)
KPI_BY_CODE = {k.code: k for k in KPIS}
PILOTS = ("DV_VNEID_SSO", "DV_THI_CCCD")

# Contract section 1: the targets that a sample targets file carries.
_TARGETS_2025_STAR = {
    "TTHC_HS_TRUC_TUYEN": "0.80",
    "TTHC_THANH_TOAN_TRUC_TUYEN": "0.60",
    "TTHC_TAI_SU_DUNG_DU_LIEU": "0.50",
    "TTHC_MAU_DON_CHUAN_HOA": "0.70",
    "TTHC_SO_HOA_HO_SO": "0.80",
    "TTHC_HAI_LONG": "0.90",
}
DISTRICT_718_2025 = {"TTHC_HS_TRUC_TUYEN": "0.60", "TTHC_DVC_TOAN_TRINH": "0.80", "TTHC_HAI_LONG": "1.00"}


def star_target(code: str, year: int) -> str | None:
    if code in PILOTS:
        return None
    if year == 2024 and code == "TTHC_MAU_DON_CHUAN_HOA":
        return "0.50"
    return _TARGETS_2025_STAR.get(code, "1.00")


def target_rows(include_718: bool = True) -> list[tuple[str, str, str, str]]:
    """Rows of reference/kpi_targets.csv: (kpi_code, area_code, year, target).

    `*` for 2024 and 2025 exactly as the plans say, 2026 equal to 2025 (the plans stop
    at 2025; the lead asked for a 2026 placeholder). District 718 (Thủ Dầu Một) for 2025 only:
    the district tier no longer exists in 2026.
    """
    rows = []
    for year in (2024, 2025, 2026):
        for k in KPIS:
            t = star_target(k.code, year)
            if t is not None:
                rows.append((k.code, "*", str(year), t))
    if include_718:
        for code, t in DISTRICT_718_2025.items():
            rows.append((code, "718", "2025", t))
    return rows


def target_for(code: str, area_codes: tuple[str, ...], year: int) -> float | None:
    """The target the warehouse will apply (own row, else province row, else `*`)."""
    if year == 2025 and "718" in area_codes and code in DISTRICT_718_2025:
        return float(DISTRICT_718_2025[code])
    t = star_target(code, year) if year in (2024, 2025, 2026) else None
    return float(t) if t is not None else None
