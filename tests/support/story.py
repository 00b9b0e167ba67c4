"""A small story on real codes, shared by tests: Quảng Ninh 22 with Hạ Long 193 and Móng
Cái 194; Bình Dương 74 with Thủ Dầu Một 718; January to March 2025. The figures each
test expects are worked out by hand in that test, never by the code under test."""

from support import workbooks as wb
from support.pipeline import Workspace

S1, S2, S3, S4, S5 = "22193001", "22193002", "22193003", "22000001", "74718001"

REGISTRY = [
    ("22", "Sở GDĐT Quảng Ninh", "province", "", "", "2000-01-01", "", ""),
    ("193", "Phòng GDĐT thành phố Hạ Long", "district", "22", "", "2000-01-01", "", ""),
    ("194", "Phòng GDĐT thành phố Móng Cái", "district", "22", "", "2000-01-01", "", ""),
    (S1, "Trường Tiểu học Cao Xanh", "school", "193", "tieu_hoc", "2010-01-01", "", ""),
    (S2, "Trường THCS Hạ Long", "school", "193", "thcs", "2010-01-01", "", ""),
    (S3, "Trường Mầm non Hoa Mai", "school", "193", "mam_non", "2010-01-01", "", ""),
    (S4, "Trường THPT Hòn Gai", "school", "22", "thpt", "2010-01-01", "", ""),
    ("74", "Sở GDĐT Bình Dương", "province", "", "", "2000-01-01", "", ""),
    ("718", "Phòng GDĐT thành phố Thủ Dầu Một", "district", "74", "", "2000-01-01", "", ""),
    (S5, "Trường Tiểu học Phú Cường", "school", "718", "tieu_hoc", "2010-01-01", "", ""),
]
TARGETS = """kpi_code,area_code,year,target
TTHC_HS_TRUC_TUYEN,*,2025,0.80
CSGD_CHU_KY_SO,*,2025,1.00
TTHC_HS_TRUC_TUYEN,718,2025,0.60
"""
HS, CKS = "TTHC_HS_TRUC_TUYEN", "CSGD_CHU_KY_SO"


def school(unit, period, report_date, rows, consolidated=None, name="Trường"):
    return wb.school_xlsx(
        unit_code=unit, unit_name=name, period=period, report_date=report_date,
        rows=rows, consolidated=consolidated,
    )  # fmt: skip


def school_json(unit, period, report_date, rows) -> bytes:
    """A school's month as JSON: `rows` are (kpi_code, numerator, denominator)."""
    return wb.json_bytes(wb.json_doc(
        unit=unit, period=period, report_date=report_date,
        chi_tieu=[{"ma_chi_tieu": k, "tu_so": n, "mau_so": d} for k, n, d in rows],
    ))  # fmt: skip


def write_story(ws: Workspace) -> None:
    ws.write("reference/org_units.csv", wb.registry_csv(REGISTRY))
    ws.write("reference/kpi_targets.csv", TARGETS)
    # S1, January: two versions. v1 (3 Feb) is the first, on time; v2 (4 Feb) is current.
    ws.write("truong/s1_t1_lan1.xlsx", school(S1, "Tháng 1/2025", "03/02/2025", [(HS, 3, 4), (CKS, 9, 20)]))
    ws.write("truong/s1_t1_lan2.xlsx", school(S1, "Tháng 1/2025", "04/02/2025 10:00", [(HS, 3, 4), (CKS, 10, 20)]))
    ws.write("truong/s1_t2.xlsx", school(S1, "T2/2025", "05/03/2025", [(HS, 5, 6), (CKS, 12, 20)]))
    ws.write("truong/s1_t3.xlsx", school(S1, "03/2025", "04/04/2025", [(HS, 7, 10)]))
    # S2: January late (6 Feb, school deadline day 5); March sent as JSON.
    ws.write("truong/s2_t1.xlsx", school(S2, "2025-01", "06/02/2025", [(CKS, 5, 10)]))
    ws.write("truong/s2_t3.json", school_json(S2, "2025-03", "2025-04-05", [(CKS, 9, 10)]))
    # District 193. January (8 Feb, on time): own HS 8/10; consolidates S1 CKS 10/20
    # (match with S1's current v2), S2 CKS 5/11 (mismatch: S2 says 5/10), and leaves
    # out S1's HS (missing_consolidated).
    ws.write(
        "phong/193_t1.xlsx",
        school("193", "Tháng 01 năm 2025", "08/02/2025", [(HS, 8, 10)],
               consolidated=[(S1, CKS, 10, 20), (S2, CKS, 5, 11)]),
    )  # fmt: skip
    # February (9 Feb... of March: late): S2 CKS 6/10 for a school that sent nothing
    # (missing_self; parent precedence), S1 HS 5/6 and CKS 12/20 (match).
    ws.write(
        "phong/193_t2.xlsx",
        school("193", "T2/2025", "09/03/2025", [],
               consolidated=[(S2, CKS, 6, 10), (S1, HS, 5, 6), (S1, CKS, 12, 20)]),
    )  # fmt: skip
    # Province 22, March, CSV (10 Apr, province deadline day 10: on time): own HS 30/40,
    # and S3's CKS 4/8 — S3's district sent nothing for March: grandparent precedence.
    ws.write(
        "so/22_t3.csv",
        wb.csv_bytes([
            wb.csv_record(HS, 30, 40, sender="22", period="2025-03", report_date="10/04/2025 16:30"),
            wb.csv_record(CKS, 4, 8, sender="22", period="2025-03", report_date="10/04/2025 16:30",
                          scope="consolidated", unit=S3),
        ]),
    )  # fmt: skip
    # S5 under Thủ Dầu Một, January: HS 6/10 = 0.60, exactly 718's own target.
    ws.write("binhduong/s5_t1.xlsx", school(S5, "Tháng 1/2025", "05/02/2025 23:59", [(HS, 6, 10)]))


def built_story(tmp_path_factory, name: str = "story") -> Workspace:
    """A fresh workspace with the story's sources, run through the whole pipeline."""
    ws = Workspace(tmp_path_factory.mktemp(name))
    write_story(ws)
    ws.run()
    return ws
