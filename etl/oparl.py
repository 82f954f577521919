"""Council information (OParl 1.0/1.1) as tables: each object reduced to the
fields we publish, the result text of an agenda item read as a decision, and
the tables of a body built from all its objects.

Personal data: a person's name is kept only to name an elected member — a
member of an organisation of the configured types (council, committees,
groups) — in the memberships and as a paper's originator; nobody else's
name is published, nor contact data, addresses or life histories, nor the
name of a non-public agenda item. File contents and resolution texts are
never read.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from typing import Any, Optional
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Berlin")
DECISIONS = ("angenommen", "abgelehnt", "vertagt", "zur Kenntnis genommen", "zurückgezogen", "verwiesen",
             "abgesetzt", "erledigt")
# Order matters: a phrase is taken out of the text once matched, so
# "nicht beschlossen" is not read as "beschlossen" too.
_PHRASES = [
    ("abgelehnt", r"nicht (?:beschlossen|angenommen|zugestimmt)|keine (?:zustimmung|mehrheit)|abgelehnt|\bablehnung\b"),
    ("zurückgezogen", r"zur[üu]ckgezogen"),
    ("abgesetzt", r"abgesetzt|von der tagesordnung genommen"),
    ("vertagt", r"vertagt|zur[üu]ckgestellt"),
    ("verwiesen", r"(?:ver|[üu]ber)wiesen"),
    ("zur Kenntnis genommen", r"(?:zur )?kenntnis genommen|zur kenntnis|kenntnisnahme"),
    ("angenommen", r"angenommen|beschlossen|zugestimmt|\bzustimmung\b|gebilligt|best[äa]tigt"),
    ("erledigt", r"erledigt"),
]
_NUMBER_WORDS = {"kein": 0, "keine": 0, "ein": 1, "eine": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3,
                 "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
                 "zwölf": 12}
_N = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_FOR = r"(?:ja-?stimmen|ja|dafür|für-?stimmen|zustimmungen)"
_AGAINST = r"(?:nein-?stimmen|nein|dagegen|gegenstimmen|gegenstimme)"
_ABSTAIN = r"(?:stimmenthaltungen|stimmenthaltung|enthaltungen|enthaltung|enth\.)"
# "12 Ja, 5 Nein" (number first) or "Ja: 12, Nein: 5" (label first: told by a colon after a label)
_COUNTS = {
    "votes_for": (rf"\b{_N}\s*{_FOR}(?!\w)", rf"(?<!\w){_FOR}\s*[:=]?\s*{_N}\b"),
    "votes_against": (rf"\b{_N}\s*{_AGAINST}(?!\w)", rf"(?<!\w){_AGAINST}\s*[:=]?\s*{_N}\b"),
    "abstentions": (rf"\b{_N}\s*{_ABSTAIN}", rf"(?<!\w){_ABSTAIN}\s*[:=]?\s*{_N}\b"),
}
_LABEL_FIRST = re.compile(rf"(?<!\w)(?:{_FOR}|{_AGAINST}|{_ABSTAIN})\s*[:=]\s*\d")
_TRIPLE = re.compile(r"(?<![\d.:/])(\d{1,3})\s*[:/]\s*(\d{1,3})\s*[:/]\s*(\d{1,3})(?![\d.:/])")
_MEMBER_WORDS = re.compile(r"rat\b|räte\b|ausschuss|beirat|fraktion|gremium|kommission|kreistag|versammlung")


def parse_result(text: Optional[str]) -> Optional[dict[str, Any]]:
    """A result text read as a decision: {decision, unanimous, votes_for,
    votes_against, abstentions} (None where the text does not say), or None
    when it cannot be read as exactly one decision."""
    if not text:
        return None
    found = _parse_result(text)  # councils write the same few texts again and again
    return dict(found) if found else None


@functools.lru_cache(maxsize=100_000)
def _parse_result(text: str) -> Optional[dict[str, Any]]:
    low = " ".join(text.lower().split())
    found, rest = [], low
    for decision, pattern in _PHRASES:
        rest, n = re.subn(pattern, " ", rest)
        if n and decision not in found:
            found.append(decision)
    if len(found) != 1:
        return None
    counts: dict[str, Optional[int]] = {key: None for key in _COUNTS}
    label_first = bool(_LABEL_FIRST.search(low))
    for key, (number_first, label) in _COUNTS.items():
        for pattern in (label,) if label_first else (number_first, label):
            match = re.search(pattern, low)
            if match:
                value = match.group(1)
                counts[key] = int(value) if value.isdigit() else _NUMBER_WORDS[value]
                break
    triple = _TRIPLE.search(low)
    if triple and all(v is None for v in counts.values()):
        counts = dict(zip(_COUNTS, map(int, triple.groups())))
    if "ohne gegenstimme" in low:
        counts["votes_against"] = 0
    if "ohne enthaltung" in low or "ohne stimmenthaltung" in low:
        counts["abstentions"] = 0
    unanimous: Optional[bool] = None
    if "einstimmig" in low or "ohne gegenstimme" in low:
        unanimous = True
    elif "mehrheitlich" in low or (counts["votes_against"] or 0) > 0:
        unanimous = False
    return {"decision": found[0], "unanimous": unanimous, **counts}


def local_datetime(value: Any, counts: Counter) -> Optional[str]:
    """ISO 8601 with its offset; a time without one is read as Jena's local time."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        counts["unreadable_dates"] += 1
        return None
    if when.tzinfo is None:
        counts["times_without_offset"] += 1
        when = when.replace(tzinfo=LOCAL)
    return when.isoformat(timespec="seconds")


def iso_date(value: Any, counts: Counter) -> Optional[str]:
    text = str(value or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?", text):
        return text[:10]
    counts["unreadable_dates"] += 1
    return None


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    text = " ".join(str(value).split())
    return text or None


def _ids(value: Any) -> list[str]:
    """Links to other objects: URLs, or embedded objects with their id."""
    values = value if isinstance(value, list) else [value] if value else []
    out = []
    for v in values:
        ref = v.get("id") if isinstance(v, dict) else v
        if isinstance(ref, str) and ref:
            out.append(ref)
    return out


def _first(value: Any) -> Optional[str]:
    ids = _ids(value)
    return ids[0] if ids else None


def _location(value: Any) -> Optional[str]:
    """The meeting place as the system describes it (a public building)."""
    if isinstance(value, dict):
        parts = [value.get("description"), value.get("room"), value.get("streetAddress"), value.get("locality")]
        return _text(", ".join(dict.fromkeys(str(p) for p in parts if p))) or None
    return None


def record(kind: str, obj: dict, counts: Counter) -> dict[str, Any]:
    """The fields of an OParl object that the tables need (its state between runs)."""
    get = obj.get
    base = {"id": obj["id"], "modified": get("modified")}
    if kind == "Organization":
        return dict(base, name=_text(get("name")), short_name=_text(get("shortName")),
                    organization_type=_text(get("organizationType")), classification=_text(get("classification")),
                    start_date=iso_date(get("startDate"), counts), end_date=iso_date(get("endDate"), counts),
                    website=_text(get("website")))
    if kind == "Person":
        name = _text(get("name")) or _text(" ".join(str(p) for p in (get("givenName"), get("familyName")) if p))
        return dict(base, name=name)
    if kind == "Membership":
        return dict(base, person=_first(get("person")), organization=_first(get("organization")),
                    role=_text(get("role")), voting_right=get("votingRight") if isinstance(get("votingRight"), bool)
                    else None, on_behalf_of=_first(get("onBehalfOf")),
                    start_date=iso_date(get("startDate"), counts), end_date=iso_date(get("endDate"), counts))
    if kind == "Meeting":
        return dict(base, name=_text(get("name")), state=_text(get("meetingState")),
                    cancelled=bool(get("cancelled")), start=local_datetime(get("start"), counts),
                    end=local_datetime(get("end"), counts), location=_location(get("location")),
                    organizations=_ids(get("organization")), web=_text(get("web")))
    if kind == "AgendaItem":
        public = get("public")
        return dict(base, meeting=_first(get("meeting")), number=_text(get("number")),
                    order=get("order") if isinstance(get("order"), int) and not isinstance(get("order"), bool)
                    else None, name=_text(get("name")), public=public if isinstance(public, bool) else None,
                    consultation=_first(get("consultation")), result=_text(get("result")),
                    start=local_datetime(get("start"), counts), end=local_datetime(get("end"), counts))
    if kind == "Paper":
        files = _ids(get("mainFile")) + _ids(get("auxiliaryFile"))
        return dict(base, reference=_text(get("reference")), name=_text(get("name")),
                    paper_type=_text(get("paperType")), date=iso_date(get("date"), counts),
                    originator_persons=_ids(get("originatorPerson")),
                    originator_organizations=_ids(get("originatorOrganization")),
                    under_direction_of=_ids(get("underDirectionOf")), main_file=_first(get("mainFile")),
                    files=list(dict.fromkeys(files)), web=_text(get("web")))
    if kind == "Consultation":
        return dict(base, paper=_first(get("paper")), agenda_item=_first(get("agendaItem")),
                    meeting=_first(get("meeting")), organizations=_ids(get("organization")),
                    role=_text(get("role")), authoritative=get("authoritative")
                    if isinstance(get("authoritative"), bool) else None)
    if kind == "File":
        return dict(base, name=_text(get("name")), mime_type=_text(get("mimeType")),
                    access_url=_text(get("accessUrl")), date=iso_date(get("date"), counts))
    raise ValueError(kind)


def _natural(object_id: str) -> tuple:
    """…/meeting/2 before …/meeting/10 (a table's ids share their prefix)."""
    return len(object_id), object_id


def _names(ids: list[str], names: dict[str, Optional[str]]) -> Optional[str]:
    return "; ".join(n for n in (names.get(i) for i in ids) if n) or None


def _redactor(names: list[str], counts: Counter):
    """A function that takes the names of people who are no elected members
    (staff, residents the system knows) out of a title."""
    names = sorted({n for n in names if len(n) >= 5 and " " in n}, key=len, reverse=True)
    if not names:
        return lambda text: text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")

    def redact(text: Optional[str]) -> Optional[str]:
        if not text or not pattern.search(text):
            return text
        counts["names_redacted"] += 1
        return pattern.sub("[Name entfernt]", text)
    return redact


def _elected_organization(org: dict, member_types: list[str]) -> bool:
    if org.get("organization_type"):
        return org["organization_type"] in member_types
    # Systems that give no type (Sternberg): the classification or name says what it is.
    return bool(_MEMBER_WORDS.search(f"{org.get('classification') or ''} {org.get('name') or ''}".lower()))


def tables(store: dict[str, dict[str, dict]], member_types: list[str], counts: Counter) -> dict[str, list[dict]]:
    """The body's tables from all its objects (`store`: kind -> id -> record)."""
    orgs, persons = store["Organization"], store["Person"]
    meetings, items, papers = store["Meeting"], store["AgendaItem"], store["Paper"]
    consultations, files = store["Consultation"], store["File"]
    org_names = {i: o.get("name") or o.get("short_name") for i, o in orgs.items()}
    elected_orgs = {i for i, o in orgs.items() if _elected_organization(o, member_types)}

    memberships, members = [], set()
    for m in sorted(store["Membership"].values(), key=lambda m: _natural(m["id"])):
        person = persons.get(m["person"] or "")
        if m["organization"] not in elected_orgs or not person or not person.get("name"):
            counts["memberships_withheld"] += 1   # staff, external bodies, unknown people
            continue
        members.add(person["id"])
        memberships.append({"id": m["id"], "person_id": person["id"], "person_name": person["name"],
                            "organization_id": m["organization"], "organization_name": org_names.get(m["organization"]),
                            "role": m["role"], "voting_right": m["voting_right"],
                            "on_behalf_of_id": m["on_behalf_of"],
                            "on_behalf_of": org_names.get(m["on_behalf_of"] or ""),
                            "start_date": m["start_date"], "end_date": m["end_date"]})
    member_count = Counter(m["organization_id"] for m in memberships)
    member_names = {p: persons[p]["name"] for p in members}
    redact = _redactor([p["name"] for i, p in persons.items() if i not in members and p.get("name")], counts)

    consultation_of = {}  # agenda item -> consultation (linked from either side)
    for c in consultations.values():
        if c["agenda_item"]:
            consultation_of.setdefault(c["agenda_item"], c)
    for item in items.values():
        if item["consultation"] in consultations:
            consultation_of[item["id"]] = consultations[item["consultation"]]
    consulted = Counter(c["paper"] for c in consultations.values() if c["paper"])

    def paper_of(item_id: str) -> Optional[dict]:
        c = consultation_of.get(item_id)
        return papers.get(c["paper"]) if c and c["paper"] else None

    agenda_count = Counter(i["meeting"] for i in items.values() if i["meeting"])
    out_meetings = [{"id": m["id"], "name": redact(m["name"]), "organizations": _names(m["organizations"], org_names),
                     "state": m["state"], "cancelled": m["cancelled"], "start": m["start"], "end": m["end"],
                     "location": m["location"], "agenda_items": agenda_count.get(m["id"], 0), "web": m["web"]}
                    for m in meetings.values()]
    out_meetings.sort(key=lambda r: (r["start"] or "", _natural(r["id"])))

    out_items, votes = [], []
    for item in sorted(items.values(), key=lambda i: _natural(i["id"])):
        meeting = meetings.get(item["meeting"] or "")
        if item["meeting"] and not meeting:
            counts["agenda_items_without_meeting"] += 1
        paper = paper_of(item["id"])
        hidden = item["public"] is False
        if hidden:
            counts["non_public_agenda_items"] += 1
        parsed = parse_result(item["result"])
        if item["result"] and not parsed:
            counts["results_unreadable"] += 1
        row = {"id": item["id"], "meeting_id": item["meeting"], "meeting_start": meeting["start"] if meeting else None,
               "number": item["number"], "order": item["order"], "name": None if hidden else redact(item["name"]),
               "public": item["public"], "paper_id": paper["id"] if paper else None,
               "paper_reference": paper["reference"] if paper else None, "result": item["result"],
               "decision": parsed["decision"] if parsed else None}
        out_items.append(row)
        if parsed:
            votes.append({"agenda_item_id": item["id"], "meeting_id": item["meeting"],
                          "meeting_date": meeting["start"][:10] if meeting and meeting["start"] else None,
                          "organizations": _names(meeting["organizations"], org_names) if meeting else None,
                          "paper_reference": row["paper_reference"], "result": item["result"], **parsed})

    out_papers = []
    for p in sorted(papers.values(), key=lambda p: _natural(p["id"])):
        withheld = [i for i in p["originator_persons"] if i not in member_names]
        counts["originator_persons_withheld"] += len(withheld)
        main = files.get(p["main_file"] or "")
        out_papers.append({"id": p["id"], "reference": p["reference"], "name": redact(p["name"]),
                           "paper_type": p["paper_type"],
                           "date": p["date"],
                           "originator_organizations": _names(p["originator_organizations"], org_names),
                           "originator_persons": _names(p["originator_persons"], member_names),
                           "under_direction_of": _names(p["under_direction_of"], org_names),
                           "main_file_url": main["access_url"] if main else None, "files": len(p["files"]),
                           "consultations": consulted.get(p["id"], 0), "web": p["web"]})

    out_consultations = []
    for c in sorted(consultations.values(), key=lambda c: _natural(c["id"])):
        paper, meeting = papers.get(c["paper"] or ""), meetings.get(c["meeting"] or "")
        out_consultations.append({"id": c["id"], "paper_id": c["paper"],
                                  "paper_reference": paper["reference"] if paper else None,
                                  "meeting_id": c["meeting"], "meeting_start": meeting["start"] if meeting else None,
                                  "agenda_item_id": c["agenda_item"],
                                  "organizations": _names(c["organizations"], org_names), "role": c["role"],
                                  "authoritative": c["authoritative"]})

    out_orgs = [{"id": o["id"], "name": o["name"], "short_name": o["short_name"],
                 "organization_type": o["organization_type"], "classification": o["classification"],
                 "start_date": o["start_date"], "end_date": o["end_date"], "website": o["website"],
                 "members": member_count.get(o["id"], 0)}
                for o in sorted(orgs.values(), key=lambda o: _natural(o["id"]))]
    return {"sitzungen": out_meetings, "tagesordnungspunkte": out_items, "vorlagen": out_papers,
            "beratungen": out_consultations, "gremien": out_orgs, "mitgliedschaften": memberships,
            "abstimmungen": votes}
