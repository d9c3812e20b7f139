"""The facts of one synthetic case: who, which court, which counts, how each ended.

Everything here is invented. Names come from short lists written for this generator and are
combined at random; case numbers, booking numbers and dates are random. The module knows nothing
about how a case is drawn on paper; it only decides what is true.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

PROP64 = dt.date(2016, 11, 9)
UNIFICATION = dt.date(2000, 1, 22)  # LA municipal courts merged into the Superior Court

SURNAMES = (
    "ABARCA", "ALDANA", "ARELLANO", "BAXTER", "BECKWITH", "BRANNIGAN", "CALLOWAY", "CARDENAS",
    "CASTILLO", "CHANG", "COLLINS", "CORTEZ", "DALTON", "DELGADO", "DUARTE", "EASTON", "ESPINOZA",
    "FAIRBANKS", "FLETCHER", "GALLEGOS", "GARNER", "GUTIERREZ", "HALVORSEN", "HARGROVE", "HIGUERA",
    "HOLLOWAY", "IBARRA", "JAMISON", "KASPARIAN", "KIMURA", "LANGSTON", "LEDESMA", "LINDQUIST",
    "MACIAS", "MADDOX", "MARQUEZ", "MCALLISTER", "MEDRANO", "MERCER", "NAKAMOTO", "NAVARRO",
    "OKAFOR", "OLIVARES", "PADILLA", "PEMBERTON", "QUINTERO", "RADCLIFFE", "RAMIREZ", "RENTERIA",
    "SALCEDO", "SANDOVAL", "SHAPIRO", "SOLORZANO", "STRICKLAND", "TALAVERA", "TORRENCE", "TRAN",
    "UMBERGER", "VALENZUELA", "VILLEGAS", "WAKEFIELD", "WASHBURN", "WHITFIELD", "YBARRA", "ZAMORA",
    "AVAKIAN", "BOUDREAUX", "DOUGHERTY", "NGUYEN", "PETROSYAN", "REYES", "SORENSEN", "THIBODEAUX",
)
FIRST_NAMES = (
    "AARON", "ADRIAN", "ALBERTO", "ALICIA", "ANDRE", "ANGELA", "ARTURO", "BENITO", "BERNARD",
    "BRENDA", "CALVIN", "CARLA", "CEDRIC", "CLIFFORD", "CYNTHIA", "DARNELL", "DEBRA", "DELFINO",
    "DENNIS", "DOLORES", "DWAYNE", "EDGAR", "ELENA", "ERNESTO", "FELIX", "FRANCINE", "GILBERT",
    "GLORIA", "GREGORY", "HECTOR", "HOWARD", "IGNACIO", "IRENE", "JEROME", "JOAQUIN", "KEITH",
    "LAMONT", "LETICIA", "LLOYD", "LUPE", "MARCUS", "MAURICE", "MIRIAM", "NORMAN", "OCTAVIO",
    "PAMELA", "PERCY", "RAFAEL", "REGINALD", "RHONDA", "RODNEY", "ROSALIND", "SALVADOR", "SHARON",
    "SHELDON", "TERRENCE", "TOMAS", "VERNON", "WENDELL", "YOLANDA", "ZACHARY", "ARMEN", "HIROSHI",
    "DUC", "KWAME", "SEAN", "TRAVIS", "WANDA", "VICTOR", "ORLANDO",
)
MIDDLE_INITIALS = "ABCDEFGHJKLMNPRSTVW"

MUNI_DISTRICTS = (
    "Alhambra", "Antelope", "Beverly Hills", "Burbank", "Citrus", "Compton", "Culver", "Downey",
    "East Los Angeles", "Glendale", "Inglewood", "Long Beach", "Los Angeles", "Los Cerritos",
    "Malibu", "Newhall", "Pasadena", "Pomona", "Rio Hondo", "San Antonio", "Santa Anita",
    "Santa Monica", "South Bay", "Southeast", "Whittier",
)
SUPERIOR_PREFIXES = ("BA", "LA", "TA", "VA", "KA", "GA", "NA", "PA", "SA", "YA", "MA")
AGENCIES = (
    "LAPD", "LASD", "LBPD", "PASADENA PD", "SANTA MONICA PD", "CHP", "POMONA PD", "GLENDALE PD",
    "INGLEWOOD PD", "WHITTIER PD", "BURBANK PD", "TORRANCE PD", "LASD - LENNOX", "LAPD - HOLLENBECK",
    "LAPD - VAN NUYS", "LASD - CENTURY",
)


@dataclass(frozen=True, slots=True)
class Statute:
    """A code section as the truth records it; `deeper` keeps lower subdivision levels for rendering."""

    code: str
    section: str
    subdivision: str | None = None
    deeper: str | None = None  # "1" for 245(a)(1)
    attempt: bool = False

    @property
    def is_cannabis(self) -> bool:
        return self.code == "HS" and self.section in {"11357", "11358", "11359", "11360"}


@dataclass(frozen=True, slots=True)
class Count:
    count: int
    statute: Statute
    level: str
    disposition: str
    disposition_date: dt.date | None
    description: str
    plea: str | None = None  # "guilty" | "nolo" | None, how a conviction came about
    dismissal: str | None = None  # "1385" | "plea" | "people" | None

    def truth(self) -> dict:
        return {
            "count": self.count,
            "code": self.statute.code,
            "section": self.statute.section,
            "subdivision": self.statute.subdivision,
            "level": self.level,
            "disposition": self.disposition,
            "disposition_date": iso(self.disposition_date),
            "attempt": self.statute.attempt,
        }


@dataclass(frozen=True, slots=True)
class Prior:
    statute: Statute
    date: dt.date
    super_strike: bool
    case_number: str
    description: str


@dataclass(frozen=True, slots=True)
class Event:
    """A dated docket entry that is not itself a disposition (arraignment, continuance, sentence)."""

    date: dt.date
    kind: str  # arraign | continue | prelim | bail | sentence | probation | warrant
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    case_number: str
    court_kind: str  # "muni" | "superior"
    district: str | None
    last: str
    first: str
    middle: str | None
    dob: dt.date | None
    filing_date: dt.date
    arrest_date: dt.date
    counts: tuple[Count, ...]
    priors: tuple[Prior, ...] = ()
    pc290: bool = False
    hs11590: bool = False  # narcotics registration: a distractor, not PC 290
    booking_no: str = ""
    cii_no: str = ""
    dr_no: str = ""
    bail: int = 0
    agency: str = ""
    judge: str = ""
    defense: str = ""
    prosecutor: str = ""
    dept: str = ""
    events: tuple[Event, ...] = field(default_factory=tuple)

    @property
    def court(self) -> str:
        if self.court_kind == "muni":
            return f"Municipal Court of the {self.district} Judicial District, County of Los Angeles"
        return "Superior Court of California, County of Los Angeles"

    @property
    def name_last_first(self) -> str:
        mid = f" {self.middle}" if self.middle else ""
        return f"{self.last}, {self.first}{mid}"

    @property
    def name_first_last(self) -> str:
        mid = f" {self.middle}" if self.middle else ""
        return f"{self.first}{mid} {self.last}"

    @property
    def super_strike_prior(self) -> bool:
        return any(p.super_strike for p in self.priors)

    def truth(self) -> dict:
        """The case part of a truth record, in the shape of the shared evaluation truth."""
        return {
            "case_number": self.case_number,
            "court": self.court,
            "defendant": {"name": self.name_last_first, "dob": iso(self.dob)},
            "filing_date": iso(self.filing_date),
            "charges": [c.truth() for c in self.counts],
            "flags": {"pc290_registrant": self.pc290, "super_strike_prior": self.super_strike_prior},
        }


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


# --------------------------------------------------------------------------- statutes

# (code, section, subdivision, deeper, description choices, level rule)
_CANNABIS = (
    (("HS", "11357", "b", None), ("POSS MARIJUANA", "POSS MJ UNDER 1 OZ", "POSS LESS THAN 28.5 GR MJ", "POSS OF MARIJ")),
    (("HS", "11357", "a", None), ("POSS CONC CANNABIS", "POSS HASHISH", "POSS CONCENTRATED CANNABIS")),
    (("HS", "11357", "c", None), ("POSS MJ OVER 28.5 GRAMS", "POSS MARIJ OVER 1 OZ")),
    (("HS", "11357", "d", None), ("POSS MJ ON SCHOOL GROUNDS", "POSS MJ SCHOOL")),
    (("HS", "11357", "e", None), ("MINOR POSS MJ SCHOOL", "POSS MJ ON SCHOOL GROUNDS (MINOR)")),
    (("HS", "11358", None, None), ("CULTIVATION OF MARIJUANA", "CULTIVATE MJ", "PLANTING/CULTIVATING MARIJ")),
    (("HS", "11359", None, None), ("POSS MARIJUANA FOR SALE", "POSS MJ FOR SALE", "POSS FOR SALE MARIJ")),
    (("HS", "11360", "a", None), ("TRANSPORT/SELL MARIJUANA", "SALE/TRANSP MJ", "TRANSPORTATION OF MARIJUANA")),
    (("HS", "11360", "b", None), ("GIVE/TRANSPORT MJ < 1 OZ", "TRANSP MJ UNDER 28.5 G")),
)
_OTHER = (
    (("HS", "11350", None, None), ("POSS CONTROLLED SUBSTANCE", "POSS NARCOTIC CONTR SUBST")),
    (("HS", "11351", None, None), ("POSS/PURCHASE FOR SALE NARC", "POSS FOR SALE CONTR SUBST")),
    (("HS", "11352", None, None), ("TRANSPORT/SELL NARCOTIC", "SALE OF CONTR SUBST")),
    (("HS", "11377", None, None), ("POSS CONTROLLED SUBSTANCE", "POSS METHAMPHETAMINE")),
    (("HS", "11378", None, None), ("POSS FOR SALE CONTR SUBST", "POSS METH FOR SALE")),
    (("HS", "11550", None, None), ("UNDER INFLUENCE CONTR SUBST", "UI CONTROLLED SUBSTANCE")),
    (("PC", "148", None, None), ("RESIST/OBSTRUCT OFFICER", "RESISTING ARREST")),
    (("PC", "211", None, None), ("ROBBERY", "ROBBERY 2ND DEGREE")),
    (("PC", "245", "a", "1"), ("ADW NOT FIREARM", "ASSAULT W/ DEADLY WEAPON")),
    (("PC", "459", None, None), ("BURGLARY", "BURGLARY 2ND DEGREE", "COMMERCIAL BURGLARY")),
    (("PC", "484", None, None), ("PETTY THEFT", "THEFT OF PROPERTY")),
    (("PC", "487", None, None), ("GRAND THEFT", "GRAND THEFT PROPERTY")),
    (("PC", "488", None, None), ("PETTY THEFT",)),
    (("PC", "647", "f", None), ("DRUNK IN PUBLIC", "DISORDERLY CONDUCT: INTOX")),
    (("PC", "12020", None, None), ("POSS DEADLY WEAPON", "POSS BILLY CLUB")),
    (("PC", "12022.5", None, None), ("USE OF FIREARM (ENHANCEMENT)", "ARMED W/ FIREARM")),
    (("VC", "23152", "a", None), ("DUI ALCOHOL", "DRIVING UNDER INFLUENCE")),
    (("VC", "14601.1", None, None), ("DRIVING ON SUSP LICENSE", "DRIVING W/ SUSPENDED LIC")),
    (("VC", "4000", "a", None), ("NO CURRENT REGISTRATION", "UNREGISTERED VEHICLE")),
    (("BP", "4140", None, None), ("POSS HYPODERMIC NEEDLE", "POSS HYPO SYRINGE")),
    (("BP", "25662", None, None), ("MINOR POSS ALCOHOL", "MINOR IN POSS OF ALCOHOL")),
    (("WI", "10980", None, None), ("WELFARE FRAUD", "AID FRAUD")),
    (("PC", "182", "a", "1"), ("CONSPIRACY", "CONSPIRACY TO COMMIT CRIME")),
)
_ATTEMPTABLE = {"11359", "11360", "11351", "11352", "211", "459", "487"}

SUPER_STRIKES = (
    (("PC", "187", None, None), "MURDER"),
    (("PC", "191.5", None, None), "GROSS VEH MANSLAUGHTER INTOX"),
    (("PC", "207", "b", None), "KIDNAP CHILD FOR LEWD ACT"),
    (("PC", "261", "a", "2"), "RAPE BY FORCE"),
    (("PC", "264.1", None, None), "RAPE IN CONCERT"),
    (("PC", "269", None, None), "AGG SEX ASSAULT CHILD"),
    (("PC", "286", "c", None), "SODOMY BY FORCE"),
    (("PC", "288", "a", None), "LEWD ACT WITH CHILD"),
    (("PC", "288a", None, None), "ORAL COPULATION BY FORCE"),
    (("PC", "288.5", None, None), "CONTINUOUS SEX ABUSE CHILD"),
    (("PC", "289", None, None), "FORCIBLE PENETRATION"),
    (("PC", "11418", "a", "1"), "WEAPON OF MASS DESTRUCTION"),
)
PLAIN_PRIORS = (
    (("PC", "459", None, None), "BURGLARY"),
    (("PC", "211", None, None), "ROBBERY"),
    (("PC", "245", "a", "1"), "ADW"),
    (("HS", "11350", None, None), "POSS CONTR SUBST"),
    (("HS", "11351", None, None), "POSS FOR SALE"),
    (("VC", "23152", "a", None), "DUI"),
    (("PC", "273.5", None, None), "CORPORAL INJURY SPOUSE"),
    (("PC", "487", None, None), "GRAND THEFT"),
    (("VC", "10851", None, None), "VEHICLE THEFT"),
)


def _level(st: Statute, on: dt.date, rng: random.Random) -> str:
    """A plausible charge level for a section on a date (wobblers chosen at random)."""
    s, sub = st.section, st.subdivision
    post = on >= PROP64
    if st.code == "VC" and s == "4000":
        return "infraction"
    if st.is_cannabis:
        if s == "11357":
            if sub == "b" and not post:
                return "infraction" if on >= dt.date(2011, 1, 1) else "misdemeanor"
            if sub == "a" and not post:
                return rng.choice(("felony", "misdemeanor"))
            if post and sub == "a":
                return "infraction"
            return "misdemeanor"
        if post:
            return "misdemeanor"
        if s == "11360" and sub == "b":
            return "infraction" if on >= dt.date(2011, 1, 1) else "misdemeanor"
        return "felony"
    if s in {"148", "484", "488", "647", "14601.1", "23152", "4140", "25662", "11550"}:
        return "misdemeanor"
    if s in {"459", "11377", "10980", "487"}:
        return rng.choice(("felony", "misdemeanor"))
    return "felony"


def _pick_statute(rng: random.Random, cannabis: bool, on: dt.date) -> tuple[Statute, str]:
    table = _CANNABIS if cannabis else _OTHER
    weights = [6, 1, 1, 0.4, 0.3, 2, 3, 2, 1] if cannabis else None
    (code, sec, sub, deeper), descs = rng.choices(table, weights=weights)[0]
    if cannabis and on >= PROP64 and sec == "11357" and sub in ("a", "b"):
        deeper = rng.choice(("1", "2"))
    attempt = sec in _ATTEMPTABLE and rng.random() < 0.12
    st = Statute(code, sec, sub, deeper, attempt)
    desc = rng.choice(descs)
    if attempt:
        desc = "ATT " + desc
    return st, desc


def case_number(rng: random.Random, kind: str, filed: dt.date, felony: bool) -> str:
    """Real-world-like LA County case number shapes (all digits random)."""
    yy = f"{filed.year % 100:02d}"
    if kind == "muni":
        shape = rng.choice(("yyM", "yyF" if felony else "yyM", "M6", "yyM", "2L5"))
        if shape == "yyM":
            return f"{yy}M{rng.randrange(100000):05d}"
        if shape == "yyF":
            return f"{yy}F{rng.randrange(100000):05d}"
        if shape == "M6":
            return f"M{rng.randrange(1000000):06d}"
        return f"{yy}{rng.choice('ABCEGHJKLNPRSTVW')}{rng.randrange(100000):05d}"
    if filed.year < 1990 and rng.random() < 0.75:
        return f"A{rng.randrange(1000000):06d}"
    return f"{rng.choice(SUPERIOR_PREFIXES)}{rng.randrange(1000000):06d}"


def _rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    span = max((hi - lo).days, 0)
    return lo + dt.timedelta(days=rng.randint(0, span))


def _weekday(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)[0]}. {rng.choice(SURNAMES)}"


def _filing_date(rng: random.Random) -> dt.date:
    if rng.random() < 0.1:
        return _weekday(_rand_date(rng, dt.date(2016, 11, 10), dt.date(2019, 6, 30)))
    return _weekday(_rand_date(rng, dt.date(1975, 1, 2), dt.date(2016, 6, 30)))


def _dispositions(rng: random.Random, n: int, filed: dt.date) -> list[tuple[str, dt.date | None, str | None, str | None]]:
    """(disposition, date, plea, dismissal kind) per count, following a common pattern of how cases end."""
    d1 = _weekday(filed + dt.timedelta(days=rng.randint(14, 200)))
    pattern = rng.choices(
        ("plea_deal", "all_guilty", "trial", "dismissed", "diversion", "split", "pending"),
        weights=(40, 18, 8, 8, 7, 14, 4))[0]
    plea = rng.choice(("guilty", "guilty", "nolo"))
    out: list[tuple[str, dt.date | None, str | None, str | None]] = []
    if pattern == "plea_deal":
        keep = set(rng.sample(range(n), k=max(1, rng.randint(1, max(1, n // 2)))))
        for i in range(n):
            out.append(("convicted", d1, plea, None) if i in keep else ("dismissed", d1, None, "plea"))
    elif pattern == "all_guilty":
        out = [("convicted", d1, plea, None) for _ in range(n)]
    elif pattern == "trial":
        out = [("convicted", d1, "verdict", None) if rng.random() < 0.6 else ("acquitted", d1, None, None)
               for _ in range(n)]
    elif pattern == "dismissed":
        out = [("dismissed", d1, None, rng.choice(("1385", "people"))) for _ in range(n)]
    elif pattern == "diversion":
        out = [("diverted", d1, None, None) if rng.random() < 0.8 else ("dismissed", d1, None, "plea")
               for _ in range(n)]
    elif pattern == "split":
        d0 = _weekday(filed + dt.timedelta(days=rng.randint(3, 40)))
        d1 = _weekday(d0 + dt.timedelta(days=rng.randint(20, 150)))
        for i in range(n):
            if i > 0 and rng.random() < 0.4:
                out.append(("dismissed", d0, None, rng.choice(("1385", "people"))))
            else:
                out.append(("convicted", d1, plea, None))
    else:  # pending: defendant failed to appear on some counts
        for i in range(n):
            out.append(("pending", None, None, None) if i == n - 1 or rng.random() < 0.5
                       else ("convicted", d1, plea, None))
    return out


def sample_case(rng: random.Random, *, force_superior: bool | None = None) -> Case:
    """Draw one made-up case: its court, defendant, counts, dispositions and distractor numbers."""
    filed = _filing_date(rng)
    if force_superior is None:
        superior = filed >= UNIFICATION or rng.random() < 0.4
    else:
        superior = force_superior or filed >= UNIFICATION
    kind = "superior" if superior else "muni"
    n = rng.choices((1, 2, 3, 4, 5, 6), weights=(22, 28, 20, 14, 9, 7))[0]
    counts: list[Count] = []
    dispos = _dispositions(rng, n, filed)
    any_cannabis = False
    for i in range(n):
        cannabis = rng.random() < 0.5 or (i == n - 1 and not any_cannabis and rng.random() < 0.7)
        st, desc = _pick_statute(rng, cannabis, filed)
        any_cannabis |= st.is_cannabis
        dispo, date, plea, dism = dispos[i]
        if dispo == "diverted" and not (st.code == "HS"):
            dispo, plea, dism = "dismissed", None, "plea"
        counts.append(Count(i + 1, st, _level(st, filed, rng), dispo, date, desc, plea, dism))
    felony = any(c.level == "felony" for c in counts)
    dob = None if rng.random() < 0.15 else _rand_date(rng, dt.date(max(1920, filed.year - 65), 1, 1),
                                                       dt.date(filed.year - 18, 12, 28))
    priors: list[Prior] = []
    if rng.random() < 0.25:
        for _ in range(rng.randint(1, 2)):
            superstrike = rng.random() < 0.35
            (code, sec, sub, deeper), desc = rng.choice(SUPER_STRIKES if superstrike else PLAIN_PRIORS)
            attempt = superstrike and sec == "187" and rng.random() < 0.3
            pdate = _rand_date(rng, filed - dt.timedelta(days=365 * 12), filed - dt.timedelta(days=200))
            priors.append(Prior(Statute(code, sec, sub, deeper, attempt), pdate, superstrike,
                                case_number(rng, "superior", pdate, True), desc))
    sex_prior = any(p.statute.section in {"261", "264.1", "269", "286", "288", "288a", "288.5", "289", "207"}
                    for p in priors)
    pc290 = rng.random() < (0.7 if sex_prior else 0.04)
    arrest = filed - dt.timedelta(days=rng.randint(0, 4))
    events = _events(rng, filed, counts)
    return Case(
        case_number=case_number(rng, kind, filed, felony),
        court_kind=kind,
        district=None if superior else rng.choice(MUNI_DISTRICTS),
        last=rng.choice(SURNAMES),
        first=rng.choice(FIRST_NAMES),
        middle=None if rng.random() < 0.2 else rng.choice(MIDDLE_INITIALS),
        dob=dob,
        filing_date=filed,
        arrest_date=arrest,
        counts=tuple(counts),
        priors=tuple(priors),
        pc290=pc290,
        hs11590=rng.random() < 0.08,
        booking_no=f"{rng.randrange(10**7):07d}",
        cii_no=f"A{rng.randrange(10**8):08d}" if rng.random() < 0.6 else f"{rng.randrange(10**8):08d}",
        dr_no=f"{filed.year % 100:02d}-{rng.randint(1, 21):02d}-{rng.randrange(100000):05d}",
        bail=rng.choice((0, 500, 1000, 2500, 5000, 10000, 25000, 50000)),
        agency=rng.choice(AGENCIES),
        judge=_person(rng),
        defense=_person(rng),
        prosecutor=_person(rng),
        dept=str(rng.choice((1, 2, 3, 4, 5, 7, 9, 11, 30, 40, 42, 100, 104, 123))),
        events=events,
    )


def _events(rng: random.Random, filed: dt.date, counts: list[Count]) -> tuple[Event, ...]:
    """Dated non-disposition entries: arraignment, continuances, bail, sentencing."""
    ev = [Event(_weekday(filed + dt.timedelta(days=rng.randint(0, 3))), "arraign")]
    first_dispo = min((c.disposition_date for c in counts if c.disposition_date), default=None)
    last = ev[0].date
    limit = first_dispo or filed + dt.timedelta(days=120)
    for _ in range(rng.randint(0, 3)):
        d = _weekday(last + dt.timedelta(days=rng.randint(7, 40)))
        if d >= limit:
            break
        ev.append(Event(d, rng.choice(("continue", "continue", "prelim", "bail", "motion"))))
        last = d
    convicted = [c for c in counts if c.disposition == "convicted" and c.disposition_date]
    if convicted:
        dd = max(c.disposition_date for c in convicted)  # type: ignore[type-var]
        if rng.random() < 0.7:
            ev.append(Event(_weekday(dd + dt.timedelta(days=rng.randint(14, 45))), "sentence"))
        else:
            ev.append(Event(dd, "sentence"))
    if any(c.disposition == "pending" for c in counts):
        ev.append(Event(_weekday(limit + dt.timedelta(days=rng.randint(1, 30))), "warrant"))
    return tuple(ev)
