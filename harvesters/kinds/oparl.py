"""Council information systems (`kind: oparl`, OParl 1.0/1.1): one dataset per body.

units: the System object (`url`) → its body list → one unit per wanted body.
extract: the body's lists (organisations, persons, memberships, meetings,
agenda items, papers, consultations, file metadata), each paged along
`links.next` through fetch.next_page (same origin, no loop, `max_pages`),
objects embedded in others (a meeting's agenda items, a paper's
consultations and files, a person's memberships) taken from their parent;
every object is reduced at once to the fields we publish (etl/oparl.py).
Incremental: after the first walk only what changed is asked for
(`modified_since`, from the state in the last good package); deleted objects
(`deleted: true`, or gone from a parent sent again) leave the tables, and
every `full_after_days` the whole body is walked again (objects deleted
without a trace go then). transform: the change set merged into the state,
the tables written (etl/oparl.py builds them), the state kept in `state/`.

Vendors' quirks (SOURCES.md) do not stop a run; each is repaired and counted
(the run record's warnings, the dataset's harvest message). A source that is
down, sends HTML or broken JSON, pages in a loop, repeats a page or renames
the fields of a list fails the run with the source and the problem named,
before anything is written: the last good package stays.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import shutil
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from etl import oparl, package
from etl.http import origin
from etl.licences import recognise_licence
from etl.names import slug

from ..fetch import SourceError, get, next_page
from ..folders import atomic_write
from ..ogc import with_params
from ..plan import Plan, harvested_metadata
from .base import Build, Output, Unit, table
from .config import ConfigError, SourceConfig

# Creative Commons' licence URLs as the names etl/licences.py reads.
_CC_URL = [(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)", r"cc-\1-\2"),
           (r"creativecommons\.org/publicdomain/zero", "cc0")]

KINDS = ("Organization", "Person", "Membership", "Meeting", "AgendaItem", "Paper", "Consultation", "File")
# The Body's list fields (OParl 1.1 names the embedded kinds' lists too) and what they hold.
LISTS = {"organization": "Organization", "person": "Person", "membership": "Membership", "meeting": "Meeting",
         "agendaItem": "AgendaItem", "paper": "Paper", "consultation": "Consultation", "file": "File"}
# Objects embedded in a parent: (field, kind, the child's link to its parent).
EMBEDDED = {"Person": [("membership", "Membership", "person")],
            "Meeting": [("agendaItem", "AgendaItem", "meeting")],
            "Paper": [("consultation", "Consultation", "paper"), ("mainFile", "File", None),
                      ("auxiliaryFile", "File", None)]}
TABLES = [  # (resource = file stem, Table Schema, description)
    ("sitzungen", "oparl_meetings", "Sitzungen der Gremien: Zeit, Ort, Stand, Zahl der Tagesordnungspunkte."),
    ("tagesordnungspunkte", "oparl_agenda_items",
     "Tagesordnungspunkte mit Vorlage, Ergebnis (Text) und daraus gelesenem Beschluss."),
    ("vorlagen", "oparl_papers", "Vorlagen (Drucksachen): Art, Datum, Einreicher, federführende Stelle, Dokument."),
    ("beratungen", "oparl_consultations",
     "Beratungen der Vorlagen: in welcher Sitzung, welchem Gremium, mit welcher Rolle."),
    ("gremien", "oparl_organizations", "Gremien, Fraktionen und Verwaltungsbereiche mit der Zahl ihrer Mitglieder."),
    ("mitgliedschaften", "oparl_memberships",
     "Mitgliedschaften der gewählten Mandatsträger in Gremien und Fraktionen (nur Name, Rolle und Zeitraum)."),
    ("abstimmungen", "oparl_votes",
     "Abstimmungen: Beschluss (angenommen, abgelehnt, vertagt …) und, wo das Ergebnis sie nennt, Stimmen."),
]
# Quirks repaired on the way: the run's warning key -> the German words for the harvest message.
QUIRKS = {"lists_missing": "Listen mit HTTP 404 als leer gelesen",
          "lists_error_802": "Listen mit Fehlerobjekt 802 als leer gelesen",
          "missing_type": "Objekte ohne „type“", "unexpected_objects": "Objekte fremden Typs übersprungen",
          "na_values": "Werte „N/A“ als leer gelesen", "control_characters": "Seiten mit Steuerzeichen im JSON",
          "auxiliary_file_object": "„auxiliaryFile“ als Objekt statt Liste",
          "file_url_double_slash": "Datei-URLs mit „//“ berichtigt",
          "ags_leading_zero": "Gemeindeschlüssel um die führende Null ergänzt",
          "body_not_listed": "Körperschaft ohne Liste geliefert",
          "next_link_unencoded": "unkodierte Folgeseiten-Links kodiert",
          "http_retries": "Anfragen nach HTTP 5xx wiederholt"}
STATE = "state"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNENCODED_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\+(\d{2}:?\d{2})")


@dataclass(frozen=True, kw_only=True)
class OparlConfig(SourceConfig):
    url: str                                  # the System object
    bodies: Optional[list[str]] = None        # ids, short names or names; default: every body of the system
    mirror: Optional[str] = None              # file: index (URL -> file) of a stored walk, read instead of the server
    limit: int = 100                          # objects per page asked for (a server may send fewer)
    max_pages: int = 10_000                   # pages followed at most per list
    full_after_days: float = 7.0              # a full walk at least this often
    overlap_minutes: float = 15.0             # modified_since reaches back this far (the server's clock)
    member_types: list[str] = field(default_factory=lambda: ["Gremium", "Fraktion"])  # whose members are named
    frequency: Optional[str] = "DAILY"

    def check(self, source: str) -> None:
        super().check(source)
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(f"source {source}: url must be the http(s) URL of the OParl System object")
        if self.mirror and not self.mirror.startswith("file:"):
            raise ConfigError(f"source {source}: mirror must be a file: path of a stored walk's index.json")
        if self.limit < 1 or self.max_pages < 1:
            raise ConfigError(f"source {source}: limit and max_pages must be at least 1")


@dataclass
class Delivered:
    """What a walk brought: records by kind and id, deletions, each re-sent
    parent's embedded children, whether it was a full walk."""
    full: bool
    started: str
    records: dict[str, dict[str, dict]] = field(default_factory=lambda: {k: {} for k in KINDS})
    deleted: dict[str, set] = field(default_factory=lambda: {k: set() for k in KINDS})
    children: dict[tuple[str, str], set] = field(default_factory=dict)  # (child kind, parent id) -> child ids
    counts: Counter = field(default_factory=Counter)


def _licence(url: Any) -> Optional[str]:
    """Our licence id of a body's `license` URL."""
    text = str(url or "").lower()
    for pattern, name in _CC_URL:
        text = re.sub(pattern, name, text)
    return recognise_licence(text)


def _local_type(obj: dict) -> str:
    return str(obj.get("type") or "").rstrip("/").rpartition("/")[2]


def _encoded(source: str, url: Optional[str], counts: Counter) -> Optional[str]:
    """A next link whose query was sent unencoded (Somacos: "+01:00", spaces) as a URL."""
    if not url:
        return url
    parts = urllib.parse.urlsplit(url)
    query = _UNENCODED_OFFSET.sub(r"\1%2B\2", parts.query)
    query = urllib.parse.quote(query, safe="=&%/:,;@!$'()*+~")
    if query != parts.query:
        counts["next_link_unencoded"] += 1
        return urllib.parse.urlunsplit(parts._replace(query=query))
    return url


class _Reader:
    """The documents of one OParl server (or of a stored walk of it)."""

    def __init__(self, source: str, config: OparlConfig, counts: Counter):
        self.source, self.config, self.counts = source, config, counts
        self.index: Optional[dict[str, str]] = None
        self.dirty = False  # the last page needs cleaning ("N/A", control characters)
        if config.mirror:
            self.index = self._parse(config.mirror, get(source, config.mirror, "json", config))

    def document(self, url: str, optional: bool = False) -> Any:
        """The JSON at `url`; None for an optional list the server answers with 404."""
        if origin(url) != origin(self.config.url):
            raise SourceError(f"{self.source}: the link {url[:200]!r} leaves {self.config.url} for another "
                              "host; not followed")
        if self.index is not None:
            if url not in self.index:
                raise SourceError(f"{self.source}: {url} is not in the stored walk {self.config.mirror}")
            local = self.config.mirror.rpartition("/")[0] + "/" + self.index[url]
            return self._parse(url, get(self.source, local, "json", self.config))
        try:
            data = get(self.source, url, "json", self.config,
                       on_retry=lambda problem: self.counts.update(["http_retries"]))
        except SourceError as e:
            if optional and getattr(e, "status", None) in (404, 410):
                self.counts["lists_missing"] += 1   # Sternberg: "no objects" as 404
                return None
            raise
        return self._parse(url, data)

    def _parse(self, url: str, data: bytes) -> Any:
        self.dirty = b'"N/A' in data
        try:
            return json.loads(data)
        except ValueError as e:
            try:  # ALLRIS: raw control characters inside strings
                doc = json.loads(data, strict=False)
            except ValueError:
                raise SourceError(f"{self.source}: {url} did not return valid JSON ({e}; starts with {data[:60]!r})")
            self.counts["control_characters"] += 1
            self.dirty = True
            return doc

    def walk(self, url: str, kind: str, since: Optional[str] = None, optional: bool = True) -> Iterator[dict]:
        """The objects of a list, page by page along links.next."""
        config = self.config
        page = url if self.index is not None else with_params(
            url, limit=str(config.limit), **({"modified_since": since} if since else {}))
        pages: set = set()
        listed: set = set()
        number = 0
        while page:
            number += 1
            doc = self.document(page, optional)
            if doc is None:
                return
            if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
                code = (doc.get("error") or {}).get("code") if isinstance(doc, dict) and isinstance(
                    doc.get("error"), dict) else doc.get("code") if isinstance(doc, dict) else None
                if optional and str(code) == "802":
                    self.counts["lists_error_802"] += 1   # Sternberg: "no objects" as an error object
                    return
                if kind == "Body" and isinstance(doc, dict) and (doc.get("meeting") or doc.get("paper")):
                    self.counts["body_not_listed"] += 1   # Sternberg: the one body itself
                    yield doc
                    return
                raise SourceError(f"{self.source}: {page} is not an OParl list of {kind} objects (no \"data\" list; "
                                  "renamed fields?)")
            ids = [o.get("id") for o in doc["data"] if isinstance(o, dict)]
            if ids and listed.issuperset(ids):
                raise SourceError(f"{self.source}: page {number} of the {kind} list ({page[:200]}) repeats objects "
                                  "already listed (the server ignores its paging); stopped")
            listed.update(ids)
            yield from doc["data"]
            links = doc.get("links") if isinstance(doc.get("links"), dict) else {}
            page = next_page(self.source, page, _encoded(self.source, links.get("next"), self.counts), pages,
                             config.max_pages)


def _clean(value: Any, counts: Counter) -> Any:
    """"N/A" as empty (ALLRIS), control characters out of strings."""
    if isinstance(value, dict):
        return {k: _clean(v, counts) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, counts) for v in value]
    if isinstance(value, str):
        if value.strip() == "N/A":
            counts["na_values"] += 1
            return None
        return _CONTROL.sub(" ", value) if _CONTROL.search(value) else value
    return value


def _fix_file_url(url: Any, counts: Counter) -> Any:
    if not isinstance(url, str) or "//" not in url.partition("://")[2]:
        return url
    counts["file_url_double_slash"] += 1   # Sternberg
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{re.sub('/{2,}', '/', rest)}"


class _Collector:
    """Objects of a walk into a Delivered: checked, repaired, reduced, embedded children taken out."""

    def __init__(self, source: str, delivered: Delivered):
        self.source, self.out = source, delivered

    def take(self, obj: Any, kind: str, where: str, parent: Optional[tuple[str, str]] = None,
             dirty: bool = True) -> None:
        counts = self.out.counts
        if not isinstance(obj, dict):
            return  # a link (URL) to an object listed elsewhere
        if not obj.get("id") or not isinstance(obj["id"], str):
            raise SourceError(f"{self.source}: an object of the {kind} list ({where[:200]}) has no id "
                              "(renamed fields?)")
        found = _local_type(obj)
        if not found:
            counts["missing_type"] += 1   # Sternberg: the list says what it is
        elif found != kind:
            counts["unexpected_objects"] += 1
            return
        if obj.get("deleted") is True:
            self.out.deleted[kind].add(obj["id"])
            self.out.records[kind].pop(obj["id"], None)
            return
        if parent is None and dirty:  # embedded children come cleaned with their parent
            obj = _clean(obj, counts)
        if parent and parent[1]:
            obj.setdefault(parent[1], parent[0])
            if not obj.get(parent[1]):
                obj[parent[1]] = parent[0]
        if kind == "File":
            for key in ("accessUrl", "downloadUrl"):
                obj[key] = _fix_file_url(obj.get(key), counts)
        if kind == "Paper" and isinstance(obj.get("auxiliaryFile"), dict):
            counts["auxiliary_file_object"] += 1   # ALLRIS
            obj["auxiliaryFile"] = [obj["auxiliaryFile"]]
        for key, child_kind, link in EMBEDDED.get(kind, []):
            children = obj.get(key)
            if children is None:
                continue
            children = children if isinstance(children, list) else [children]
            if link:  # the parent sent its children: those it no longer names are gone
                self.out.children[(child_kind, obj["id"])] = {
                    c["id"] for c in children if isinstance(c, dict) and c.get("id")}
            for child in children:
                self.take(child, child_kind, where, (obj["id"], link or ""))
        record = oparl.record(kind, obj, counts)
        before = self.out.records[kind].get(obj["id"])
        if before:  # the same object listed and embedded: what either copy says
            record = {k: v if v not in (None, []) else before.get(k) for k, v in record.items()}
        self.out.records[kind][obj["id"]] = record


@dataclass(frozen=True)
class BodyContext:
    system: dict
    body: dict
    counts: Counter   # quirks met while listing the bodies


def _body_name(body: dict) -> str:
    return str(body.get("name") or body.get("shortName") or body["id"])


def _ags(body: dict, counts: Counter) -> Optional[str]:
    ags = re.sub(r"\s", "", str(body.get("ags") or ""))
    if re.fullmatch(r"\d{7}", ags):
        counts["ags_leading_zero"] += 1   # Sternberg: a Land key below 10 lost its zero
        ags = "0" + ags
    return ags if re.fullmatch(r"\d{8}", ags) else None


def _state_meta(build: Build) -> dict:
    path = os.path.join(build.current, STATE, "meta.json") if build.current else ""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _load_store(build: Build) -> dict[str, dict[str, dict]]:
    store: dict[str, dict[str, dict]] = {k: {} for k in KINDS}
    for kind in KINDS:
        path = os.path.join(build.current or "", STATE, f"{kind}.jsonl.gz")
        if build.current and os.path.exists(path):
            with gzip.open(path, "rt", encoding="utf-8") as f:
                for line in f:
                    record = json.loads(line)
                    store[kind][record["id"]] = record
    return store


def _save_store(directory: str, store: dict[str, dict[str, dict]]) -> None:
    folder = os.path.join(directory, STATE)
    os.makedirs(folder, exist_ok=True)
    for kind, records in store.items():
        path = os.path.join(folder, f"{kind}.jsonl.gz")
        with gzip.open(path + ".tmp", "wt", encoding="utf-8", compresslevel=3) as f:
            for record in records.values():
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(path + ".tmp", path)


def _unchanged(delivered: Delivered, build: Build, meta: dict) -> Optional[tuple[dict, dict]]:
    """An incremental walk that brought nothing: the last package's tables and
    state copied, with their row counts and warnings; else None."""
    if delivered.full or not build.current or "tables" not in meta or delivered.children or \
            any(delivered.records.values()) or any(delivered.deleted.values()):
        return None
    os.makedirs(os.path.join(build.directory, STATE), exist_ok=True)
    for name in [f"{stem}.csv" for stem, _, _ in TABLES] + [os.path.join(STATE, f"{k}.jsonl.gz") for k in KINDS]:
        shutil.copyfile(os.path.join(build.current, name), os.path.join(build.directory, name))
    return meta["tables"], meta["counts"]


def _merge(store: dict[str, dict[str, dict]], delivered: Delivered) -> None:
    links = {child: link for specs in EMBEDDED.values() for _, child, link in specs if link}
    counts = delivered.counts
    for kind, ids in delivered.deleted.items():
        for object_id in ids:
            if store[kind].pop(object_id, None) is not None:
                counts["objects_deleted"] += 1
        for _, child, link in EMBEDDED.get(kind, []):  # a deleted meeting takes its agenda items along
            if link and ids:
                for cid in [c for c, r in store[child].items() if r.get(link) in ids]:
                    del store[child][cid]
                    counts["objects_deleted"] += 1
    for (child, parent), kept in delivered.children.items():
        link = links[child]
        gone = [c for c, r in store[child].items() if r.get(link) == parent and c not in kept]
        for cid in gone:
            del store[child][cid]
            counts["objects_deleted"] += 1
    for kind, records in delivered.records.items():
        for object_id, record in records.items():
            if store[kind].get(object_id) != record:
                counts["objects_new_or_changed"] += 1
            store[kind][object_id] = record


def _csv(path: str, schema: dict, rows: list[dict]) -> None:
    import csv
    names = [f["name"] for f in schema["fields"]]

    cells = {None: "", True: "true", False: "false"}  # 1 == True: numbers are looked up by type first
    with open(path + ".tmp", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([v if type(v) in (str, int) else cells[v] for v in map(row.get, names)] for row in rows)
    os.replace(path + ".tmp", path)


class Oparl:
    name = "oparl"
    Config = OparlConfig
    many_units = True   # one dataset per body; a body that leaves the system is withdrawn

    def dataset_name(self, unit: str) -> str:
        return slug(unit, max_length=90)

    def source_system(self, config: OparlConfig) -> str:
        return config.source_system or config.url

    def units(self, source: str, config: OparlConfig) -> list[Unit]:
        counts: Counter = Counter()
        reader = _Reader(source, config, counts)
        system = reader.document(config.url)
        if not isinstance(system, dict) or not isinstance(system.get("body"), str):
            raise SourceError(f"{source}: {config.url} is not an OParl System object (no \"body\" list)")
        bodies = []
        for body in reader.walk(system["body"], "Body", optional=False):
            if not isinstance(body, dict) or not isinstance(body.get("id"), str):
                raise SourceError(f"{source}: a body of {system['body']} has no id (renamed fields?)")
            if not _local_type(body):
                counts["missing_type"] += 1
            names = {body["id"], body.get("shortName"), body.get("name")}
            if not config.bodies or names & set(config.bodies):
                bodies.append(body)
        units, taken = [], set()
        for body in bodies:
            label = str(body.get("shortName") or body.get("name") or body["id"].rpartition("/")[2])
            name = f"{source}-{slug(label, max_length=60)}"
            while name in taken:  # two bodies of one name: numbered in the system's order
                name += "-2"
            taken.add(name)
            units.append(Unit(source, name, self.dataset_name(name), config, BodyContext(system, body, counts)))
        return units

    def extract(self, unit: Unit, build: Build) -> Delivered:
        config, context = unit.config, unit.context
        body = _clean(context.body, context.counts)
        meta = _state_meta(build)
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        full_at = meta.get("full_at")
        full = config.mirror is not None or meta.get("body") != body["id"] or not full_at or \
            now - dt.datetime.fromisoformat(full_at) >= dt.timedelta(days=config.full_after_days)
        since = None if full else (dt.datetime.fromisoformat(meta["walked_at"])
                                   - dt.timedelta(minutes=config.overlap_minutes)).isoformat()
        delivered = Delivered(full, now.isoformat())
        delivered.counts.update(context.counts)
        reader = _Reader(unit.source, config, delivered.counts)
        collector = _Collector(unit.source, delivered)
        lists = [(key, kind) for key, kind in LISTS.items() if isinstance(body.get(key), str)]
        if not any(kind in ("Meeting", "Paper") for _, kind in lists):
            raise SourceError(f"{unit.source}: the body {body['id']} names neither a meeting nor a paper list "
                              "(renamed fields?)")
        for key, kind in lists:
            for obj in reader.walk(body[key], kind, since):
                collector.take(obj, kind, body[key], dirty=reader.dirty)
        return delivered

    def transform(self, unit: Unit, delivered: Delivered, build: Build) -> Output:
        config, context = unit.config, unit.context
        meta = _state_meta(build)
        counts = delivered.counts
        kept = _unchanged(delivered, build, meta)
        if kept:  # nothing new since the last walk: its tables and state as they are
            rows, summary = kept
        else:
            store = {k: {} for k in KINDS} if delivered.full else _load_store(build)
            _merge(store, delivered)
            before = Counter(counts)
            built = oparl.tables(store, config.member_types, counts)
            for stem, schema_name, _ in TABLES:
                _csv(os.path.join(build.directory, f"{stem}.csv"), package.table_schema(schema_name), built[stem])
            rows = {stem: len(built[stem]) for stem in built}
            summary = dict(counts - before, **{f"objects_{kind}": len(store[kind]) for kind in KINDS})
            _save_store(build.directory, store)
        for key, value in summary.items():  # set, not added: a kept summary is the last walk's
            counts[key] = value
        atomic_write(os.path.join(build.directory, STATE, "meta.json"), json.dumps({
            "body": context.body["id"], "walked_at": delivered.started,
            "full_at": delivered.started if delivered.full else meta.get("full_at"), "tables": rows,
            "counts": summary}, indent=1))
        counts["full_walk"] = int(delivered.full)
        files = [table(f"{stem}.csv", stem, text, package.table_schema(schema_name), rows[stem])
                 for stem, schema_name, text in TABLES]
        name = _body_name(context.body)
        title = config.title or f"Ratsinformationen {name}"
        licence = config.licence or _licence(context.body.get("license")) or "notspecified"
        ags = _ags(context.body, counts)
        return Output(title, files, [{"title": f"OParl: {name}", "path": context.body["id"]}], licence,
                      sum(rows.values()), dict(counts), context={"ags": ags, "name": name})

    def plan(self, unit: Unit, output: Output) -> Plan:
        config, counts = unit.config, output.warnings
        name = output.context["name"]
        limits = []
        if output.licence == "notspecified":
            limits.append("Das Ratsinformationssystem nennt keine erkennbare Lizenz.")
        if counts.get("results_unreadable"):
            limits.append(f"{counts['results_unreadable']} Ergebnistexte ließen sich nicht als Beschluss lesen "
                          "(in den Tagesordnungspunkten als Text enthalten).")
        dataset = harvested_metadata(
            unit.dataset, title=output.title, notes=config.description or (
                f"Sitzungen, Tagesordnungspunkte, Vorlagen und Beratungen, Gremien und Mitgliedschaften aus dem "
                f"Ratsinformationssystem ({name}, OParl), dazu die Abstimmungen: der Beschluss (angenommen, "
                "abgelehnt, vertagt, zur Kenntnis genommen …) und, wo das Ergebnis sie nennt, die Stimmen dafür, "
                "dagegen und die Enthaltungen. Personenbezogen nur, was das System über gewählte Mandatsträger "
                "veröffentlicht (Name, Gremium, Rolle, Zeitraum); nichtöffentliche Tagesordnungspunkte ohne Titel."),
            tags=["Stadtrat", "Ratsinformation", "Sitzungen", "Beschlüsse", "Abstimmungen", "OParl"], themes=["GOVE"],
            licence=output.licence, frequency=config.frequency, source_system=self.source_system(config),
            attribution=config.attribution or name, extent=config.extent, contact=config.contact,
            known_limitations=" ".join(limits))
        if dataset["spatial"] is None:  # no extent configured: the portal's default (Jena) stays
            del dataset["spatial"]
        if output.context["ags"]:
            dataset["political_geocoding_uri"] = ("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/"
                                                  + output.context["ags"])
        changed, deleted = counts.get("objects_new_or_changed", 0), counts.get("objects_deleted", 0)
        note = f"{changed} Objekte neu oder geändert, {deleted} gelöscht."
        quirks = [f"{QUIRKS[k]}: {counts[k]}" for k in QUIRKS if counts.get(k)]
        if quirks:
            note += " Eigenheiten der Quelle ausgeglichen (" + "; ".join(quirks) + ")."
        return Plan(dataset, config.organization, note=note)


KIND = Oparl()
