"""Write a QGIS project (.qgs) of the GIS sample layers for QGIS Server.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 harvesters/samples/qgis_project.py OUT.qgs [--drop LAYER]

Runs with Debian's python3-qgis (the system Python, not the virtualenv:
the QGIS bindings are built for it). The layers, their titles, abstracts
and keywords are those of gis/layers.inc (the MapServer sample), so both
servers publish the same service; the project's CRS is EPSG:25832, every
layer is published as WFS and WMS with 2 decimals (centimetres, as the
source files have them). `--drop LAYER` leaves one layer out (a layer that
vanished from the service). harvesters/samples/qgis_server.py calls this.
"""
from __future__ import annotations

import argparse
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
GIS = os.path.join(HERE, "gis")
SERVICE = {
    "title": "Geodaten Jena (Beispiel, QGIS Server)",
    "abstract": "Beispieldienst mit Geodaten der Stadt Jena für Tests und Vorführung.",
    "keywords": ["Jena", "Geodaten"],
    "access": "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
    "crs": ["EPSG:25832", "EPSG:4326", "EPSG:3044", "EPSG:31468"],
    "extent": (676000, 5637000, 688000, 5651000),
}


def sample_layers() -> list[dict]:
    """name, file, title, abstract, keywords of each LAYER in layers.inc (in its order)."""
    with open(os.path.join(GIS, "layers.inc"), encoding="utf-8") as f:
        text = f.read()
    out = []
    for block in re.findall(r"  LAYER\n(.*?)\n  END\n", text, flags=re.S):
        def meta(key):
            m = re.search(r'"%s" "([^"]*)"' % key, block)
            return m.group(1) if m else ""
        out.append({"name": re.search(r'NAME "([^"]+)"', block).group(1),
                    "file": os.path.join(GIS, re.search(r'CONNECTION "([^"]+)"', block).group(1)),
                    "title": meta("ows_title"), "abstract": meta("ows_abstract"),
                    "keywords": [k for k in meta("ows_keywordlist").split(",") if k]})
    return out


def write(path: str, drop: tuple[str, ...] = ()) -> None:
    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    try:
        project = QgsProject.instance()
        project.setCrs(QgsCoordinateReferenceSystem("EPSG:25832"))
        project.setTitle(SERVICE["title"])
        ids = []
        for spec in sample_layers():
            if spec["name"] in drop:
                continue
            layer = QgsVectorLayer(spec["file"], spec["name"], "ogr")
            if not layer.isValid():
                raise SystemExit(f"QGIS cannot read {spec['file']}")
            layer.setShortName(spec["name"])  # the WFS/WMS type name
            layer.setTitle(spec["title"])
            layer.setAbstract(spec["abstract"])
            layer.setKeywordList(",".join(spec["keywords"]))
            project.addMapLayer(layer)
            ids.append(layer.id())
        w, s, e, n = SERVICE["extent"]
        entries = {
            ("WMSServiceCapabilities", "/"): True,
            ("WMSServiceTitle", "/"): SERVICE["title"],
            ("WMSServiceAbstract", "/"): SERVICE["abstract"],
            ("WMSKeywordList", "/"): SERVICE["keywords"],
            ("WMSAccessConstraints", "/"): SERVICE["access"],
            ("WMSFees", "/"): "keine",
            ("WMSContactPerson", "/"): "Fachdienst Geoinformation",
            ("WMSContactOrganization", "/"): "Stadt Jena",
            ("WMSContactMail", "/"): "geodaten@jena.example",
            ("WMSCrsList", "/"): SERVICE["crs"],
            ("WMSExtent", "/"): [str(v) for v in (w, s, e, n)],
            ("WMSUseLayerIDs", "/"): False,
            ("WFSLayers", "/"): ids,
        }
        for (key, sub), value in entries.items():
            project.writeEntry(key, sub, value)
        for lid in ids:
            project.writeEntry("WFSLayersPrecision", "/" + lid, 2)
        if not project.write(path):
            raise SystemExit(f"QGIS could not write {path}")
    finally:
        QgsProject.instance().clear()
        app.exitQgis()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--drop", action="append", default=[])
    args = parser.parse_args()
    write(args.out, tuple(args.drop))


if __name__ == "__main__":
    main()
