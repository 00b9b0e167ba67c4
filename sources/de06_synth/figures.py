"""Plausible monthly figures for one unit: a pure function of (seed, unit, month).

Each unit has a static profile (size, which indicators it reports, where each share starts
and where it heads) and each month draws its event counts. Shares rise toward a goal near
the plan's target along `goal - (goal - start) * exp(-rate * t)`, t in months since 2024-01.
Flow indicators are the month's events (numerator ~ Binomial(events, share)); stock
indicators are end-of-month states; binary DV_ indicators switch from 0 to 1 at an adoption
month. Numerators never exceed denominators.
"""

import math
import random
from dataclasses import dataclass, field

from . import geo as geo_mod
from .kpis import KPI_BY_CODE, KPIS, star_target
from .months import Month, index
from .registry import Unit

SEASON = (0.8, 0.5, 0.8, 0.9, 1.2, 2.5, 3.0, 2.5, 1.5, 0.9, 0.8, 0.7)  # dossiers: enrolment peaks in summer
FEES = (1.3, 0.7, 1.0, 1.0, 1.0, 0.6, 0.3, 0.6, 1.5, 1.0, 1.0, 1.0)  # fee payments: term starts
STUDENT_RATIO = {"mam_non": 12, "tieu_hoc": 21, "thcs": 19, "thpt": 19, "lien_cap": 18, "gdtx": 16}
CCCD_ELIGIBLE = {"thcs": 0.45, "thpt": 1.0, "lien_cap": 0.25, "gdtx": 0.9}  # share of pupils aged 14+

OFFICE_KPIS = tuple(k.code for k in KPIS if k.code.startswith("TTHC_")) + (
    "CSGD_CHU_KY_SO", "CSGD_VAN_BAN_DIEN_TU", "CSGD_XAC_THUC_CAN_BO",
    "DV_QUAN_TRIET", "DV_KDTM", "DV_QLTH_KET_NOI", "DV_VNEID_SSO")
ORDER = {k.code: i for i, k in enumerate(KPIS)}

BINARY_ALREADY = {"DV_QUAN_TRIET": 0.85, "DV_KDTM": 0.45, "DV_HOC_BA_SO": 0.35, "DV_QLTH_KET_NOI": 0.55,
                  "DV_VNEID_SSO": 0.0, "DV_THI_CCCD": 0.0}
BINARY_HORIZON = {"DV_QUAN_TRIET": 10, "DV_KDTM": 30, "DV_HOC_BA_SO": 30, "DV_QLTH_KET_NOI": 28,
                  "DV_VNEID_SSO": 120, "DV_THI_CCCD": 60}


@dataclass
class Profile:
    code: str
    unit_type: str
    level: str
    students: int
    staff: int
    kpis: tuple[str, ...]
    curve: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # goal, start, rate
    adopt: dict[str, int] = field(default_factory=dict)  # binary: month index of adoption
    lam: float = 0.0  # dossiers received per month (before seasonality)
    forms: int = 0  # TTHC_MAU_DON_CHUAN_HOA denominator
    procedures: int = 0  # TTHC_DVC_TOAN_TRINH denominator
    elig: float = 0.0


def _school_kpis(level: str, rng: random.Random) -> tuple[str, ...]:
    ks = ["TTHC_HS_TRUC_TUYEN", "TTHC_GAN_DINH_DANH"]
    if level in ("thcs", "thpt", "lien_cap", "gdtx"):
        ks += ["TTHC_KET_QUA_DIEN_TU", "TTHC_LUU_TRU_DIEN_TU"]
        for k, p in (("TTHC_SO_HOA_HO_SO", 0.7), ("TTHC_TAI_SU_DUNG_DU_LIEU", 0.6),
                     ("TTHC_HAI_LONG", 0.4), ("TTHC_THANH_TOAN_TRUC_TUYEN", 0.2)):
            if rng.random() < p:
                ks.append(k)
    elif level == "tieu_hoc":
        for k, p in (("TTHC_SO_HOA_HO_SO", 0.5), ("TTHC_TAI_SU_DUNG_DU_LIEU", 0.4), ("TTHC_HAI_LONG", 0.3)):
            if rng.random() < p:
                ks.append(k)
    elif rng.random() < 0.3:
        ks.append("TTHC_HAI_LONG")
    ks += ["CSGD_THANH_TOAN_KDTM", "CSGD_CHU_KY_SO", "CSGD_VAN_BAN_DIEN_TU", "CSGD_CSDL_HOC_SINH",
           "CSGD_XAC_THUC_HOC_SINH", "CSGD_XAC_THUC_CAN_BO"]
    if level != "mam_non":
        ks.append("CSGD_HOC_BA_SO")
    if level in CCCD_ELIGIBLE:
        ks.append("CSGD_CCCD_HOC_SINH")
    ks += ["DV_QUAN_TRIET", "DV_KDTM", "DV_QLTH_KET_NOI", "DV_VNEID_SSO"]
    if level != "mam_non":
        ks.append("DV_HOC_BA_SO")
    if level in ("thpt", "gdtx"):
        ks.append("DV_THI_CCCD")
    return tuple(sorted(ks, key=ORDER.__getitem__))


def _avg_size(new_province: str, level: str) -> float:
    est = geo_mod.load().estimates.get(new_province)
    if not est:
        return {"mam_non": 250, "tieu_hoc": 700, "thcs": 600, "thpt": 1100, "lien_cap": 650, "gdtx": 350}[level]

    def per(p, s):
        return int(est[p]) / max(1, int(est[s]))
    if level == "mam_non":
        return per("pupils_preschool", "preschool_schools")
    if level == "tieu_hoc":
        return per("pupils_primary", "primary_schools")
    if level == "thcs":
        return per("pupils_lower_secondary", "lower_secondary_schools")
    if level == "thpt":
        return per("pupils_upper_secondary", "upper_secondary_schools")
    if level == "lien_cap":
        return 0.6 * (per("pupils_primary", "primary_schools") + per("pupils_lower_secondary", "lower_secondary_schools"))
    return 0.3 * per("pupils_upper_secondary", "upper_secondary_schools")


def profile(seed: int, u: Unit, new_province: str) -> Profile:
    rng = random.Random(f"{seed}|profile|{u.code}")
    if u.unit_type == "school":
        mean = _avg_size(new_province or u.new_province, u.level)
        students = max(25, int(mean * math.exp(rng.gauss(-0.06, 0.35))))
        staff = max(6, int(students / STUDENT_RATIO[u.level] * rng.uniform(0.85, 1.2)) + rng.randint(3, 8))
        kpis = _school_kpis(u.level, rng)
        lam = students / 140.0
        p = Profile(u.code, u.unit_type, u.level, students, staff, kpis, lam=lam,
                    elig=CCCD_ELIGIBLE.get(u.level, 0.0))
    else:
        kind = u.unit_type
        staff = {"province": rng.randint(60, 140), "district": rng.randint(12, 30), "commune": rng.randint(6, 16)}[kind]
        lam = {"province": rng.uniform(250, 1800), "district": rng.uniform(30, 220), "commune": rng.uniform(8, 60)}[kind]
        kpis = OFFICE_KPIS + (("DV_THI_CCCD",) if kind == "province" else ())
        p = Profile(u.code, kind, "", 0, staff, tuple(sorted(kpis, key=ORDER.__getitem__)), lam=lam,
                    forms={"province": rng.randint(40, 90), "district": rng.randint(15, 40),
                           "commune": rng.randint(8, 20)}[kind],
                    procedures={"province": rng.randint(70, 110), "district": rng.randint(18, 32),
                                "commune": rng.randint(10, 18)}[kind])
    for k in p.kpis:
        kp = KPI_BY_CODE[k]
        if kp.binary:
            if rng.random() < BINARY_ALREADY[k]:
                p.adopt[k] = -1
            else:
                p.adopt[k] = rng.randint(0, BINARY_HORIZON[k])
            continue
        t = float(star_target(k, 2025) or 0.9)
        if t >= 1.0:
            goal = 1.0 if rng.random() < 0.5 else rng.uniform(0.86, 0.995)
        else:
            goal = min(1.0, max(0.25, t + rng.gauss(0.04, 0.1)))
        start = goal * rng.uniform(0.15, 0.6)
        rate = rng.uniform(0.04, 0.16)
        p.curve[k] = (goal, start, rate)
    return p


def _share(p: Profile, k: str, t: int) -> float:
    goal, start, rate = p.curve[k]
    return goal - (goal - start) * math.exp(-rate * max(t, 0))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    L, k, prod = math.exp(-lam), 0, rng.random()
    while prod > L:
        k += 1
        prod *= rng.random()
    return k


def _binom(rng: random.Random, n: int, p: float) -> int:
    if n <= 0:
        return 0
    p = min(1.0, max(0.0, p))
    if n < 40:
        return sum(1 for _ in range(n) if rng.random() < p)
    v = int(rng.gauss(n * p, math.sqrt(n * p * (1 - p)) + 1e-9) + 0.5)
    return min(n, max(0, v))


def monthly(seed: int, p: Profile, m: Month) -> list[tuple[str, int, int]]:
    """[(kpi_code, numerator, denominator)] in indicator order."""
    rng = random.Random(f"{seed}|fig|{p.code}|{m[0]}-{m[1]:02d}")
    t = index(m)
    season = SEASON[m[1] - 1]
    received = _poisson(rng, p.lam * season)
    processed = max(0, received + _poisson(rng, 0.1 * p.lam) - _poisson(rng, 0.1 * p.lam))
    results = max(0, processed - _poisson(rng, 0.05 * p.lam))
    personal = _binom(rng, results, 0.85)
    payments = _poisson(rng, 0.3 * received)
    pakn = _poisson(rng, {"province": 12, "district": 3, "commune": 1}.get(p.unit_type, 0.2))
    publish = _poisson(rng, {"province": 4, "district": 1.2, "commune": 0.5}.get(p.unit_type, 0.0))
    ratings = _binom(rng, results, 0.45)
    students = max(20, int(p.students * (1 + 0.002 * t) + rng.randint(-3, 3)))
    staff = p.staff + (1 if rng.random() < 0.05 else 0)
    per_student = 1.0 if p.level == "mam_non" else 0.35
    fee_payments = _poisson(rng, students * per_student * FEES[m[1] - 1]) if p.unit_type == "school" else 0
    dens = {
        "TTHC_HS_TRUC_TUYEN": received, "TTHC_GAN_DINH_DANH": received,
        "TTHC_TAI_SU_DUNG_DU_LIEU": processed, "TTHC_SO_HOA_HO_SO": processed,
        "TTHC_DONG_BO_KET_QUA": results, "TTHC_KET_QUA_DIEN_TU": results,
        "TTHC_LUU_TRU_DIEN_TU": personal, "TTHC_THANH_TOAN_TRUC_TUYEN": payments,
        "TTHC_PAKN_DUNG_HAN": pakn, "TTHC_CONG_KHAI_DUNG_HAN": publish, "TTHC_HAI_LONG": ratings,
        "TTHC_MAU_DON_CHUAN_HOA": p.forms, "TTHC_DVC_TOAN_TRINH": p.procedures,
        "CSGD_THANH_TOAN_KDTM": fee_payments,
        "CSGD_CHU_KY_SO": staff, "CSGD_VAN_BAN_DIEN_TU": staff, "CSGD_XAC_THUC_CAN_BO": staff,
        "CSGD_HOC_BA_SO": students, "CSGD_CSDL_HOC_SINH": students, "CSGD_XAC_THUC_HOC_SINH": students,
        "CSGD_CCCD_HOC_SINH": int(students * p.elig),
    }
    out = []
    for k in p.kpis:
        kp = KPI_BY_CODE[k]
        if kp.binary:
            out.append((k, 1 if t >= p.adopt[k] else 0, 1))
            continue
        den = dens[k]
        share = _share(p, k, t)
        if kp.kind == "flow":
            num = _binom(rng, den, share)
        else:
            num = min(den, int(share * den + 0.5))
        out.append((k, num, den))
    return out
