"""A council information system shaped like OParl 1.0/1.1 (the bundled sample,
the tests' and the bench's server).

    python harvesters/samples/oparl/generate.py     # writes harvesters/samples/oparl/jena/

`council()` builds the objects of one body as an OParl server holds them:
organisations (council, committees, a district council, groups, an
administrative department), persons with their memberships embedded (and
contact data and a life history, which the harvester must not publish; a
member of staff; a private person who filed a residents' motion), meetings
with their agenda items embedded (one of them non-public), papers with their
consultations and files embedded, result texts as councils write them.
`Server` answers OParl requests for them: paging with `links.next`,
`limit`, `modified_since` (deleted objects then come back as `deleted:
true`), and a vendor's quirks (`vendor="sternberg" | "allris" | "somacos"`,
see SOURCES.md). `write_sample()` stores one walk of it as files with an
index (URL -> file), which the harvester reads as a snapshot (`mirror:`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import urllib.parse
from collections import Counter
from typing import Any, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = "https://ratsinfo.jena.example/oparl/v1"
SCHEMA = "https://schema.oparl.org/1.1/"
MODIFIED = "2026-05-01T10:00:00+02:00"
RESULTS = [
    "einstimmig beschlossen", "mehrheitlich angenommen (12 Ja, 5 Nein, 2 Enthaltungen)", "abgelehnt",
    "vertagt", "zur Kenntnis genommen", "Beschlossen mit 30:12:3 Stimmen", "geändert beschlossen",
    "zurückgezogen", "in den Ausschuss für Stadtentwicklung und Umwelt verwiesen", "siehe Niederschrift",
    "Ja: 20 Nein: 18 Enthaltungen: 1 – angenommen", "abgelehnt bei 2 Enthaltungen", "",
]
GIVEN = ["Anna", "Bernd", "Carla", "Dieter", "Elif", "Frank", "Greta", "Hakan", "Ines", "Jonas", "Katrin",
         "Lars", "Mira", "Nils", "Olga", "Paul"]
FAMILY = ["Ahlers", "Brunn", "Czech", "Dorn", "Eckert", "Fuchs", "Gerber", "Hauck", "Illner", "Jäger", "Kranz",
          "Lindner", "Moll", "Nagel", "Oswald", "Pohl"]
GROUPS = ["Fraktion Grüne Mitte", "Fraktion Bürger für Jena", "Fraktion Soziale Stadt", "Fraktion Freie Liste"]
COMMITTEES = [("Stadtrat", "Stadtrat"), ("Hauptausschuss", "Ausschuss"),
              ("Ausschuss für Stadtentwicklung und Umwelt", "Ausschuss"), ("Finanzausschuss", "Ausschuss"),
              ("Ortsteilrat Lobeda", "Ortsteilrat")]
TOPICS = ["Radverkehrskonzept Innenstadt", "Sanierung der Grundschule Nord", "Haushaltssatzung 2027",
          "Bebauungsplan Am Steiger", "Baumpflanzungen im Damenviertel", "Parkraumbewirtschaftung Lobeda",
          "Kita-Gebühren", "Straßenbahnlinie 5", "Sportstättenentwicklung", "Klimaschutzkonzept"]


@dataclasses.dataclass
class Council:
    base: str
    system: dict
    body: dict
    lists: dict[str, list[dict]]       # the body's lists: name -> objects
    deleted: dict[str, list[dict]] = dataclasses.field(default_factory=dict)  # tombstones per list

    def find(self, list_name: str, object_id: str) -> dict:
        return next(o for o in self.lists[list_name] if o["id"] == object_id)

    def touch(self, obj: dict, when: str) -> dict:
        obj["modified"] = when
        return obj

    def delete(self, list_name: str, object_id: str, when: str) -> None:
        obj = self.find(list_name, object_id)
        self.lists[list_name].remove(obj)
        self.deleted.setdefault(list_name, []).append({"id": obj["id"], "type": obj["type"], "deleted": True,
                                                       "created": obj.get("created"), "modified": when})


def _t(name: str) -> str:
    return SCHEMA + name


def council(base: str = BASE, papers: int = 24, meetings: int = 8, items_per_meeting: int = 6,
            separate_lists: bool = True) -> Council:
    """One body (Stadt Jena) with `papers` papers and `meetings` meetings of
    `items_per_meeting` agenda items each (the last one non-public)."""
    b = base + "/body/1"
    common = {"created": "2024-06-01T09:00:00+02:00", "modified": MODIFIED}
    orgs = []
    for i, (name, classification) in enumerate(COMMITTEES, start=1):
        orgs.append(dict(id=f"{b}/organization/{i}", type=_t("Organization"), body=b, name=name,
                         shortName=name.split()[0], organizationType="Gremium", classification=classification,
                         startDate="2024-07-01", website=f"https://ratsinfo.jena.example/gremium/{i}", **common))
    for i, name in enumerate(GROUPS, start=len(orgs) + 1):
        orgs.append(dict(id=f"{b}/organization/{i}", type=_t("Organization"), body=b, name=name,
                         shortName=name.replace("Fraktion ", ""), organizationType="Fraktion",
                         classification="Fraktion", startDate="2024-07-01", **common))
    office = dict(id=f"{b}/organization/{len(orgs) + 1}", type=_t("Organization"), body=b,
                  name="Dezernat Stadtentwicklung und Umwelt", organizationType="Verwaltungsbereich",
                  classification="Dezernat", **common)
    orgs.append(office)
    council_org, committees, groups = orgs[0], orgs[1:len(COMMITTEES)], orgs[len(COMMITTEES):-1]

    persons, memberships = [], []

    def membership(person: str, org: dict, role: str, on_behalf: Optional[dict] = None, voting: bool = True):
        m = dict(id=f"{b}/membership/{len(memberships) + 1}", type=_t("Membership"), person=person,
                 organization=org["id"], role=role, votingRight=voting, startDate="2024-07-01", **common)
        if on_behalf:
            m["onBehalfOf"] = on_behalf["id"]
        memberships.append(m)
        return m

    for i, (given, family) in enumerate(zip(GIVEN, FAMILY), start=1):
        pid = f"{b}/person/{i}"
        group = groups[i % len(groups)]
        mine = [membership(pid, council_org, "Mitglied", group), membership(pid, group, "Mitglied"),
                membership(pid, committees[i % len(committees)], "Vorsitz" if i <= len(committees) else "Mitglied",
                           group)]
        persons.append(dict(id=pid, type=_t("Person"), body=b, name=f"{given} {family}", givenName=given,
                            familyName=family, formOfAddress="Frau" if i % 2 else "Herr",
                            email=[f"{given.lower()}.{family.lower()}@stadtrat.jena.example"],
                            phone=["+49 3641 000000"], life="Geboren in Jena, verheiratet, zwei Kinder.",
                            membership=mine, **common))
    staff = f"{b}/person/{len(persons) + 1}"
    persons.append(dict(id=staff, type=_t("Person"), body=b, name="Ute Verwaltung", email=["ute@jena.example"],
                        membership=[membership(staff, office, "Sachbearbeiterin", voting=False)], **common))
    resident = f"{b}/person/{len(persons) + 1}"
    persons.append(dict(id=resident, type=_t("Person"), body=b, name="Rainer Privatmann", **common))

    paper_objs = []
    for i in range(1, papers + 1):
        pid = f"{b}/paper/{i}"
        kind = ["Beschlussvorlage", "Antrag", "Anfrage", "Beschlussvorlage"][i % 4]
        if i == 3:
            kind = "Einwohnerantrag"
        topic = TOPICS[i % len(TOPICS)]
        paper = dict(id=pid, type=_t("Paper"), body=b, name=f"{kind}: {topic}", reference=f"{i:04d}/26",
                     date=f"2026-{1 + i % 4:02d}-{1 + i % 27:02d}", paperType=kind,
                     underDirectionOf=[office["id"]], consultation=[], **common)
        if kind == "Antrag":
            paper["originatorOrganization"] = [groups[i % len(groups)]["id"]]
            paper["originatorPerson"] = [persons[i % len(GIVEN)]["id"]]
        elif kind == "Einwohnerantrag":  # titled with the resident's name, as such motions often are
            paper["originatorPerson"] = [resident]
            paper["name"] = f"Einwohnerantrag von Rainer Privatmann: {topic}"
        else:
            paper["originatorOrganization"] = [office["id"]]
        paper["mainFile"] = dict(id=f"{b}/file/{2 * i - 1}", type=_t("File"), name="Vorlage",
                                 fileName=f"vorlage-{i:04d}-26.pdf", mimeType="application/pdf", size=120_000 + i,
                                 accessUrl=f"https://ratsinfo.jena.example/files/{i}/vorlage.pdf", **common)
        paper["auxiliaryFile"] = [dict(id=f"{b}/file/{2 * i}", type=_t("File"), name="Anlage 1",
                                       fileName=f"anlage-{i:04d}-26.pdf", mimeType="application/pdf",
                                       accessUrl=f"https://ratsinfo.jena.example/files/{i}/anlage1.pdf", **common)]
        paper_objs.append(paper)

    meeting_objs, consultations = [], []
    start = dt.datetime(2026, 1, 15, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    item_no = 0
    for m in range(1, meetings + 1):
        org = orgs[m % len(COMMITTEES)]
        mid = f"{b}/meeting/{m}"
        when = start + dt.timedelta(days=7 * m)
        items = []
        for n in range(1, items_per_meeting + 1):
            item_no += 1
            iid = f"{b}/agendaitem/{item_no}"
            public = n < items_per_meeting or items_per_meeting == 1
            item = dict(id=iid, type=_t("AgendaItem"), meeting=mid, number=f"Ö {n}" if public else "N 1",
                        order=n, public=public, **common)
            if public:
                paper = paper_objs[(item_no - 1) % len(paper_objs)]
                cid = f"{b}/consultation/{item_no}"
                consultation = dict(id=cid, type=_t("Consultation"), paper=paper["id"], agendaItem=iid,
                                    meeting=mid, organization=[org["id"]], authoritative=org is council_org,
                                    role="Entscheidung" if org is council_org else "Vorberatung", **common)
                paper["consultation"].append(consultation)
                consultations.append(consultation)
                item.update(name=paper["name"], consultation=cid, result=RESULTS[(item_no - 1) % len(RESULTS)])
            else:
                item.update(name="Grundstücksangelegenheit: Verkauf Flurstück 12 an Herrn Max Muster",
                            result="beschlossen")
            items.append(item)
        meeting_objs.append(dict(
            id=mid, type=_t("Meeting"), name=f"{m}. Sitzung {org['name']}", meetingState="durchgeführt",
            cancelled=False, start=when.isoformat(), end=(when + dt.timedelta(hours=3)).isoformat(),
            location=dict(id=f"{b}/location/1", type=_t("Location"), description="Rathaus, Plenarsaal",
                          streetAddress="Markt 1", postalCode="07743", locality="Jena"),
            organization=[org["id"]], participant=[p["id"] for p in persons[:3]], agendaItem=items,
            web=f"https://ratsinfo.jena.example/sitzung/{m}", **common))

    files = [p["mainFile"] for p in paper_objs] + [f for p in paper_objs for f in p["auxiliaryFile"]]
    lists = {"organization": orgs, "person": persons, "meeting": meeting_objs, "paper": paper_objs}
    if separate_lists:  # OParl 1.1: the embedded objects listed on their own too
        lists.update(agendaItem=[i for m in meeting_objs for i in m["agendaItem"]], consultation=consultations,
                     file=files, membership=memberships)
    system = dict(id=base + "/system", type=_t("System"), oparlVersion=SCHEMA, name="Ratsinformation Jena (Beispiel)",
                  body=base + "/bodies", website="https://ratsinfo.jena.example/", vendor="https://example.org/",
                  **common)
    body = dict(id=b, type=_t("Body"), system=system["id"], shortName="Jena", name="Stadt Jena", ags="16053000",
                website="https://www.jena.example/", license="https://www.govdata.de/dl-de/by-2-0",
                classification="Kreisfreie Stadt", **{k: f"{b}/{k}" for k in lists},
                legislativeTerm=[dict(id=f"{b}/term/8", type=_t("LegislativeTerm"), name="2024–2029",
                                      startDate="2024-07-01", endDate="2029-06-30")], **common)
    return Council(base, system, body, lists)


def _json(data: Any) -> tuple[bytes, str]:
    return json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8"


def _since(value: Optional[str]) -> Optional[dt.datetime]:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


class Server:
    """Answers a loopback route ("/PREFIX/*") with OParl documents of `council`.

    Every request is counted in `requests` (path → n) and kept in `log`. `vendor` adds that
    vendor's quirks: sternberg (the file and consultation lists answer 404
    and an 802 error object, persons without `type`, the body not wrapped in
    a list, `//` in file URLs, a 7-digit AGS), allris (each list's first
    request HTTP 500, control characters in strings, `auxiliaryFile` as an
    object, "N/A" values), somacos (`links.next` with its query not URL-encoded,
    each list's first request HTTP 500)."""

    def __init__(self, council: Council, page_size: int = 10, vendor: Optional[str] = None):
        self.council, self.page_size, self.vendor = council, page_size, vendor
        self.prefix = urllib.parse.urlsplit(council.base).path
        self.requests: Counter = Counter()
        self.log: list[str] = []   # every request as sent
        self.failed_once: set = set()

    def url(self, path: str) -> str:
        return self.council.base + path

    def __call__(self, raw: str):
        parts = urllib.parse.urlsplit(raw)
        path = parts.path[len(self.prefix):]
        self.requests[path] += 1
        self.log.append(raw)
        # A parameter sent unencoded ("+02:00") reads as a space: parse_qsl would turn "+" into one too.
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        c = self.council
        if path == "/system":
            return _json(c.system)
        if path == "/bodies":
            if self.vendor == "sternberg":
                return _json(self._quirks(c.body))
            return _json({"data": [self._quirks(c.body)], "pagination": {"totalElements": 1, "currentPage": 1,
                                                                         "totalPages": 1}, "links": {}})
        if path == "/body/1":
            return _json(self._quirks(c.body))
        name = path.rpartition("/")[2]
        if not path.startswith("/body/1/") or name not in c.lists:
            return None
        if self.vendor in ("allris", "somacos") and name not in self.failed_once:
            self.failed_once.add(name)
            return (b"<h1>500 Internal Server Error</h1>", "text/html", 0, 500)
        if self.vendor == "sternberg" and name == "file":
            return None
        if self.vendor == "sternberg" and name == "consultation":
            return _json({"code": 802, "message": "Keine Daten vorhanden"})
        return self._page(path, name, query)

    def _page(self, path: str, name: str, query: dict):
        try:
            since = _since(query.get("modified_since"))
        except ValueError:  # "+01:00" sent unencoded arrives as " 01:00"
            return _json({"error": "modified_since is no date-time"}) + (0, 400)
        objects = self.council.lists[name]
        if since:
            objects = [o for o in objects if _since(o["modified"]) >= since] + \
                      [o for o in self.council.deleted.get(name, []) if _since(o["modified"]) >= since]
        limit = min(int(query.get("limit", self.page_size)), self.page_size)
        page = int(query.get("page", 1))
        pages = max(1, -(-len(objects) // limit))
        data = [self._quirks(o) for o in objects[(page - 1) * limit:page * limit]]
        links = {"first": self._link(path, query, 1), "last": self._link(path, query, pages)}
        if page < pages:
            links["next"] = self._link(path, query, page + 1)
        body = {"data": data, "pagination": {"totalElements": len(objects), "elementsPerPage": limit,
                                             "currentPage": page, "totalPages": pages}, "links": links}
        text = json.dumps(body, ensure_ascii=False)
        if self.vendor == "allris":  # raw control characters inside strings: invalid JSON
            text = text.replace("Plenarsaal", "Plenar\x0bsaal").replace("Vorlage\"", "Vorlage\t\"")
        return text.encode(), "application/json; charset=utf-8"

    def _link(self, path: str, query: dict, page: int) -> str:
        params = dict(query, page=str(page))
        if self.vendor == "somacos":  # the query string as it was typed, not encoded
            return self.url(path) + "?" + "&".join(f"{k}={v}" for k, v in params.items())
        return self.url(path) + "?" + urllib.parse.urlencode(params)

    def _quirks(self, obj: dict) -> dict:
        if not self.vendor or self.vendor == "somacos":
            return obj
        obj = json.loads(json.dumps(obj))  # a copy, quirks and all
        if self.vendor == "sternberg":
            if obj.get("type", "").endswith("Body"):
                obj["ags"] = obj["ags"].lstrip("0") if obj.get("ags", "").startswith("0") else "5315000"
            if obj.get("type", "").endswith("Person"):
                del obj["type"]
            for f in [obj.get("mainFile")] + list(obj.get("auxiliaryFile") or []):
                if isinstance(f, dict):
                    f["accessUrl"] = f["accessUrl"].replace("/files/", "//files//")
        if self.vendor == "allris":
            if isinstance(obj.get("auxiliaryFile"), list) and len(obj["auxiliaryFile"]) == 1:
                obj["auxiliaryFile"] = obj["auxiliaryFile"][0]
            if obj.get("type", "").endswith("Paper"):
                obj["date"] = "N/A"
        return obj


def write_sample(folder: str = os.path.join(HERE, "jena"), base: str = BASE) -> int:
    """One walk of the sample council as files and index.json (URL -> file); returns the files written."""
    server = Server(council(base), page_size=10)
    os.makedirs(folder, exist_ok=True)
    index: dict[str, str] = {}
    queue = [base + "/system"]
    while queue:
        url = queue.pop(0)
        if url in index:
            continue
        body, _ = server(urllib.parse.urlsplit(url).path + ("?" + urllib.parse.urlsplit(url).query
                                                             if urllib.parse.urlsplit(url).query else ""))
        name = f"{len(index) + 1:03d}.json"
        with open(os.path.join(folder, name), "wb") as f:
            f.write(body)
        index[url] = name
        doc = json.loads(body)
        for item in doc.get("data", [doc]):
            if item.get("type", "").endswith(("System", "Body")):
                queue += [item[k] for k in ("body", *server.council.lists) if isinstance(item.get(k), str)]
        if doc.get("links", {}).get("next"):
            queue.append(doc["links"]["next"])
    with open(os.path.join(folder, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1, sort_keys=True)
    return len(index)


if __name__ == "__main__":
    print(f"{write_sample()} files written to {os.path.join(HERE, 'jena')}")
