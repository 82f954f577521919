"""A loopback service shaped like an ArcGIS Server FeatureServer (REST API):
the service root `?f=json` with its `layers`, each layer's `/<id>?f=json`
(fields with esriFieldTypes, extent in the layer's spatialReference,
maxRecordCount, advancedQueryCapabilities.supportsPagination,
supportedQueryFormats, objectIdField), and `/<id>/query` with where=1=1,
returnCountOnly, orderByFields, resultOffset/resultRecordCount (capped at
maxRecordCount, exceededTransferLimit in the GeoJSON collection's
`properties` while more follow) and f=geojson with outSR=4326.

It serves the Jena sample layers (harvesters/samples/gis, EPSG:25832) as a
city's ArcGIS would: an OBJECTID, and on the playgrounds the age group as a
coded-value domain (integer codes) and the last inspection as an
esriFieldTypeDate (epoch milliseconds). Like ArcGIS, errors are HTTP 200
with an {"error": …} object. A test changes the attributes to make faults.
"""
import datetime as dt
import json
import os
import urllib.parse

from pyproj import Transformer

from harvesters.samples import mapserver_cgi

GIS = mapserver_cgi.GIS
LAYERS = ["stadtteile", "spielplaetze", "haltestellen", "radwege", "gruenflaechen", "intern_leitungen"]
AGE_GROUPS = ["0-6 Jahre", "6-12 Jahre", "12-16 Jahre", "alle"]  # codes 1..4
TYPES = {int: "esriFieldTypeInteger", float: "esriFieldTypeDouble", str: "esriFieldTypeString"}
GEOMETRY = {"Point": "esriGeometryPoint", "LineString": "esriGeometryPolyline", "Polygon": "esriGeometryPolygon"}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def inspected(number):
    """The playground's last inspection (a UTC datetime): made up, but fixed."""
    return dt.datetime(2024, 1, 1, 9, 30, tzinfo=dt.timezone.utc) + dt.timedelta(days=number * 3, minutes=number)


def epoch_ms(when):
    return int((when - EPOCH).total_seconds() * 1000)


class FeatureServer:
    def __init__(self, base, max_record_count=50, data=None, wkid=25832, dates=("geprueft_am",)):
        """`data`: {layer: [(properties, GeoJSON geometry in `wkid`)]} to serve
        instead of the Jena sample layers; `dates`: the properties served as
        esriFieldTypeDate (epoch milliseconds)."""
        self.base = base + "/arcgis/rest/services/Jena/FeatureServer"
        self.max_record_count = max_record_count
        self.names = list(data) if data else list(LAYERS)
        self.layers = list(self.names)   # the ids are the positions in names, kept when one vanishes
        self.wkid, self.dates = wkid, set(dates)
        self.asked = []
        self.error = None                # (route suffix, {"code", "message"}): that route answers the error
        self.ignore_offset = False       # a service that always sends its first page
        self.pagination = True           # False: advancedQueryCapabilities.supportsPagination false (10.2 and older)
        self.stop_early = False          # exceededTransferLimit no longer said after the first page
        self.renamed = {}                # sample layer → the name the service gives it
        self.geojson = True              # False: an ArcGIS Server before 10.4, Esri JSON (f=json) only
        to_lonlat = Transformer.from_crs(f"EPSG:{wkid}", "EPSG:4326", always_xy=True)
        self.data = {name: [({"OBJECTID": oid, **props}, geometry) for oid, (props, geometry)
                            in enumerate(rows, start=1)] for name, rows in (data or {}).items()}
        for name in [] if data else LAYERS:
            with open(os.path.join(GIS, f"{name}.geojson"), encoding="utf-8") as f:
                feats = json.load(f)["features"]
            rows = []
            for oid, feat in enumerate(feats, start=1):
                props = dict(OBJECTID=oid, **feat["properties"])
                if name == "spielplaetze":
                    props["altersgruppe"] = AGE_GROUPS.index(props["altersgruppe"]) + 1
                    props["geprueft_am"] = epoch_ms(inspected(props["nummer"]))
                rows.append((props, feat["geometry"]))
            self.data[name] = rows
        self._to_lonlat = to_lonlat

    def __call__(self, path):
        parts = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        self.asked.append(path)
        route = parts.path[len("/arcgis/rest/services/Jena/FeatureServer"):].rstrip("/")
        if self.error and route.endswith(self.error[0]):
            return self._json({"error": dict(self.error[1], details=[])})
        if route == "":
            return self._json({
                "currentVersion": 11.1, "serviceDescription": "Geodaten der Stadt Jena (Loopback)",
                "copyrightText": "Stadt Jena, Datenlizenz Deutschland – Namensnennung – Version 2.0",
                "spatialReference": {"wkid": self.wkid, "latestWkid": self.wkid}, "maxRecordCount": self.max_record_count,
                "supportedQueryFormats": "JSON, geoJSON, PBF",
                "layers": [{"id": self.names.index(n), "name": self.renamed.get(n, n), "parentLayerId": -1, "defaultVisibility": True,
                            "subLayerIds": None, "geometryType": self._geometry_type(n)} for n in self.layers],
                "tables": [], "documentInfo": {"Title": "Geodaten Jena (ArcGIS, Loopback)"}})
        pieces = route.strip("/").split("/")
        if not pieces[0].isdigit() or int(pieces[0]) >= len(self.names) or self.names[int(pieces[0])] not in self.layers:
            return self._json({"error": {"code": 400, "message": "Invalid or missing input parameters.",
                                         "details": []}})
        name = self.names[int(pieces[0])]
        if len(pieces) == 1:
            return self._json(self._layer(name))
        if pieces[1] == "query":
            return self._query(name, query)
        return None, None

    def _geometry_type(self, name):
        return GEOMETRY[self.data[name][0][1]["type"]]

    def _layer(self, name):
        rows = self.data[name]
        fields = [{"name": "OBJECTID", "type": "esriFieldTypeOID", "alias": "OBJECTID", "domain": None}]
        for key, value in rows[0][0].items():
            if key == "OBJECTID":
                continue
            field = {"name": key, "type": TYPES.get(type(value), "esriFieldTypeString"), "alias": key, "domain": None}
            if name == "spielplaetze" and key == "altersgruppe":
                field.update(type="esriFieldTypeSmallInteger", domain={
                    "type": "codedValue", "name": "Altersgruppen", "codedValues": [
                        {"name": g, "code": i} for i, g in enumerate(AGE_GROUPS, start=1)]})
            if key in self.dates:
                field.update(type="esriFieldTypeDate", length=8)
            fields.append(field)
        fields.append({"name": "Shape", "type": "esriFieldTypeGeometry", "alias": "Shape", "domain": None})
        xs, ys = zip(*(xy for _, g in rows for xy in _coordinates(g)))
        return {
            "currentVersion": 11.1, "id": self.names.index(name), "name": self.renamed.get(name, name),
            "type": "Feature Layer",
            "description": f"Ebene {name} der Stadt Jena.", "copyrightText": "Stadt Jena, dl-de/by-2-0",
            "geometryType": self._geometry_type(name), "objectIdField": "OBJECTID",
            "extent": {"xmin": min(xs), "ymin": min(ys), "xmax": max(xs), "ymax": max(ys),
                       "spatialReference": {"wkid": self.wkid, "latestWkid": self.wkid}},
            "fields": fields, "maxRecordCount": self.max_record_count,
            "supportedQueryFormats": "JSON, geoJSON, PBF" if self.geojson else "JSON, AMF",
            "advancedQueryCapabilities": {"supportsPagination": self.pagination, "supportsOrderBy": True},
            "capabilities": "Query"}

    def _query(self, name, query):
        rows = self.data[name]
        if query.get("returnCountOnly") == "true":
            return self._json({"count": len(rows)})
        wanted = "geojson" if self.geojson else "json"
        if query.get("f") != wanted or query.get("outSR") != "4326":
            return self._json({"error": {"code": 400, "message": "Unable to complete operation.", "details": []}})
        if not self.pagination and ("resultOffset" in query or "resultRecordCount" in query):
            return self._json({"error": {"code": 400, "message": "Pagination is not supported.", "details": []}})
        offset = 0 if self.ignore_offset else int(query.get("resultOffset", 0))
        count = min(int(query.get("resultRecordCount", self.max_record_count)), self.max_record_count)
        page = rows[offset:offset + count]
        feats = [{"type": "Feature", "id": props["OBJECTID"], "properties": props,
                  "geometry": self._lonlat(geometry)} for props, geometry in page]
        more = offset + count < len(rows) and not (self.stop_early and offset)
        if not self.geojson:  # Esri JSON: the flag at the top, geometries as x/y, paths, rings
            doc = {"objectIdFieldName": "OBJECTID", "geometryType": self._geometry_type(name),
                   "spatialReference": {"wkid": 4326, "latestWkid": 4326},
                   "features": [{"attributes": f["properties"], "geometry": _esri(f["geometry"])} for f in feats]}
            return self._json(dict(doc, exceededTransferLimit=True) if more else doc)
        doc = {"type": "FeatureCollection", "features": feats}
        if more:
            doc["properties"] = {"exceededTransferLimit": True}
        return self._json(doc, "application/geo+json")

    def _lonlat(self, geometry):
        def walk(c):
            if isinstance(c[0], (int, float)):
                return [round(v, 7) for v in self._to_lonlat.transform(*c)]
            return [walk(x) for x in c]
        return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}

    @staticmethod
    def _json(doc, ctype="application/json"):
        # ArcGIS answers errors with HTTP 200 too
        return json.dumps(doc).encode(), ctype


def _coordinates(geometry):
    def walk(c):
        if isinstance(c[0], (int, float)):
            yield c[:2]
        else:
            for x in c:
                yield from walk(x)
    return list(walk(geometry["coordinates"]))


def _signed_area(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))


def _esri(geometry):
    """GeoJSON → Esri JSON geometry, rings in Esri's orientation (outer clockwise, holes counter-clockwise)."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return {"x": coords[0], "y": coords[1]}
    if kind == "LineString":
        return {"paths": [coords]}
    if kind == "Polygon":
        return {"rings": [ring[::-1] if (_signed_area(ring) > 0) == (i == 0) else ring
                          for i, ring in enumerate(coords)]}
    raise ValueError(kind)
