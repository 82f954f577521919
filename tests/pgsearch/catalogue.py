"""A small city catalogue for the search tests: 41 datasets in three
organisations and three groups, with tags, formats, licences, private, draft
and deleted datasets, spatial extents and German titles."""

JENA = '{"type":"Polygon","coordinates":[[[11.5,50.85],[11.7,50.85],[11.7,51.0],[11.5,51.0],[11.5,50.85]]]}'
GERMANY = '{"type":"Polygon","coordinates":[[[5.9,47.3],[15.0,47.3],[15.0,55.1],[5.9,55.1],[5.9,47.3]]]}'
WEST = '{"type":"Polygon","coordinates":[[[11.55,50.90],[11.58,50.90],[11.58,50.93],[11.55,50.93],[11.55,50.90]]]}'
# A self-intersecting "bow tie": invalid, repaired before indexing.
BOWTIE = '{"type":"Polygon","coordinates":[[[11.59,50.91],[11.61,50.93],[11.61,50.91],[11.59,50.93],[11.59,50.91]]]}'

ORGS = {
    "stadt-jena": "Stadt Jena",
    "stadtwerke": "Stadtwerke Jena",
    "uni": "Friedrich-Schiller-Universität",
}
GROUPS = {"umwelt": "Umwelt", "verkehr": "Verkehr", "bildung": "Bildung"}

# name, title, org, groups, tags, formats, licence, extra fields
DATASETS = [
    ("baumkataster", "Baumkataster Jena", "stadt-jena", ["umwelt"], ["Bäume", "Umwelt", "Stadtgrün"],
     ["CSV", "GeoJSON"], "dl-de-by-2.0",
     {"notes": "Alle Straßenbäume der Stadt Jena mit Art, Höhe und Stammumfang.",
      "spatial": JENA, "test_views": "1200"}),
    ("baumpflanzungen-2023", "Baumpflanzungen 2023", "stadt-jena", ["umwelt"], ["Bäume"], ["CSV"],
     "dl-de-by-2.0", {"notes": "Neu gepflanzte Bäume im Jahr 2023", "issued_date": "2023-05-01"}),
    ("baumfaellungen", "Baumfällungen", "stadt-jena", ["umwelt"], ["Bäume", "Fällungen"], ["CSV", "XLSX"],
     "dl-de-zero-2.0", {}),
    ("strassenverzeichnis", "Straßenverzeichnis", "stadt-jena", ["verkehr"], ["Verkehr", "Straßen"], ["CSV"],
     "dl-de-zero-2.0", {"notes": "Verzeichnis aller Strassen in Jena"}),
    ("haltestellen", "Haltestellen des ÖPNV", "stadtwerke", ["verkehr"], ["Verkehr", "ÖPNV"], ["GTFS", "CSV"],
     "cc-by", {"spatial": '{"type":"Point","coordinates":[11.58,50.93]}', "test_views": "450"}),
    ("fahrplan", "Fahrplandaten (GTFS)", "stadtwerke", ["verkehr"], ["ÖPNV"], ["GTFS"], "cc-by", {}),
    ("radwege", "Radwegenetz", "stadt-jena", ["verkehr"], ["Radverkehr", "Verkehr"], ["GeoJSON", "WMS"],
     "dl-de-by-2.0", {"spatial": '{"type":"LineString","coordinates":[[11.55,50.90],[11.60,50.95]]}'}),
    ("parkplaetze", "Parkplätze und Parkhäuser", "stadtwerke", ["verkehr"], ["Parken", "Verkehr"], ["JSON"],
     "cc-by", {}),
    ("luftqualitaet", "Luftqualität Jena Dammstraße", "stadt-jena", ["umwelt"], ["Luft", "Umwelt", "Sensoren"],
     ["CSV"], "dl-de-by-2.0",
     {"notes": "Feinstaub PM10 und PM2.5", "issued_date": "2023-12-31", "maintainer": "Erika Müller",
      "quelle": "Umweltamt Jena", "resource_names": ["Messwerte 2023"]}),
    ("laerm", "Lärmkartierung", "stadt-jena", ["umwelt"], ["Lärm", "Umwelt"], ["WMS", "PDF"], "dl-de-by-2.0",
     {"maintainer": "Erika Müller", "quelle": "Umweltamt Jena"}),
    ("schulen", "Schulen in Jena", "stadt-jena", ["bildung"], ["Schulen", "Bildung"], ["CSV", "GeoJSON"],
     "dl-de-by-2.0", {"spatial": WEST, "test_views": "100"}),
    ("kitas", "Kindertagesstätten", "stadt-jena", ["bildung"], ["Kinder", "Bildung"], ["CSV"], "dl-de-by-2.0",
     {"test_views": "500"}),
    ("bibliotheken", "Bibliotheken und Ausleihen", "uni", ["bildung"], ["Bildung", "Bibliothek"], ["CSV"],
     "cc-by", {}),
    ("studierende", "Studierendenstatistik", "uni", ["bildung"], ["Bildung", "Statistik"], ["XLSX"], "cc-by", {}),
    ("forschung", "Forschungsdaten Klimawandel", "uni", ["umwelt"], ["Klima", "Forschung"], ["NetCDF"], "cc-by",
     {"spatial": GERMANY}),
    ("bevoelkerung", "Bevölkerung nach Stadtteilen", "stadt-jena", [], ["Statistik", "Bevölkerung"], ["CSV"],
     "dl-de-by-2.0", {"issued_date": "2022-12-31"}),
    ("wahlen", "Wahlergebnisse Stadtratswahl 2024", "stadt-jena", [], ["Wahlen", "Politik"], ["CSV", "PDF"],
     "dl-de-zero-2.0", {"issued_date": "2024-06-09"}),
    ("haushalt", "Haushaltsplan", "stadt-jena", [], ["Finanzen", "Haushalt"], ["PDF", "XLSX"],
     "dl-de-zero-2.0", {}),
    ("friedhoefe", "Friedhöfe", "stadt-jena", [], ["Friedhof"], ["GeoJSON"], "dl-de-by-2.0",
     {"spatial": BOWTIE}),
    ("spielplaetze", "Spielplätze", "stadt-jena", ["bildung"], ["Kinder", "Freizeit"], ["GeoJSON", "CSV"],
     "dl-de-by-2.0",
     {"spatial": '{"type":"MultiPoint","coordinates":[[11.57,50.91],[11.59,50.94]]}'}),
    ("gruenflaechen", "Grünflächen und Parks", "stadt-jena", ["umwelt"], ["Stadtgrün", "Freizeit"],
     ["WFS", "GeoJSON"], "dl-de-by-2.0", {}),
    ("gewaesser", "Gewässer und Saale-Pegel", "stadtwerke", ["umwelt"], ["Wasser", "Saale"], ["CSV"], "cc-by", {}),
    ("trinkwasser", "Trinkwasserqualität", "stadtwerke", ["umwelt"], ["Wasser"], ["PDF"], "cc-by", {}),
    ("energie", "Energieverbrauch städtischer Gebäude", "stadtwerke", [], ["Energie"], ["CSV"], "cc-by", {}),
    ("ladestationen", "Ladestationen für E-Autos", "stadtwerke", ["verkehr"], ["Energie", "Verkehr"],
     ["JSON", "CSV"], "cc-by", {}),
    ("wetter", "Wetterstation Göschwitz", "uni", ["umwelt"], ["Klima", "Wetter", "Sensoren"], ["CSV"], "cc-by",
     {"test_views": "99"}),
    ("hitzeinseln", "Hitzeinseln im Stadtgebiet", "uni", ["umwelt"], ["Klima", "Hitze"], ["GeoTIFF"], "cc-by", {}),
    ("denkmal", "Denkmalliste", "stadt-jena", [], ["Kultur", "Denkmal"], ["PDF"], "dl-de-by-2.0", {}),
    ("museen", "Museen und Ausstellungen", "stadt-jena", ["bildung"], ["Kultur"], ["CSV"], "dl-de-by-2.0", {}),
    ("veranstaltungen", "Veranstaltungskalender", "stadt-jena", [], ["Kultur", "Freizeit"], ["ICS", "JSON"],
     "dl-de-zero-2.0", {}),
    ("english-dataset", "Tree inventory (English summary)", "uni", ["umwelt"], ["trees"], ["CSV"], "cc-by",
     {"notes": "English description of trees."}),
    ("leerer-datensatz", "Datensatz ohne Ressourcen", "stadt-jena", [], [], [], "dl-de-by-2.0", {}),
    ("private-planung", "Interne Bauplanung", "stadt-jena", [], ["Bäume", "Planung"], ["CSV"], "dl-de-by-2.0",
     {"private": True}),
    ("private-uni", "Unveröffentlichte Messreihe", "uni", ["umwelt"], ["Klima"], ["CSV"], "cc-by",
     {"private": True}),
    ("entwurf-baeume", "Entwurf Baumstandorte", "stadt-jena", [], ["Bäume"], ["CSV"], "dl-de-by-2.0",
     {"state": "draft"}),
    ("geloescht", "Gelöschter Baumbestand", "stadt-jena", [], ["Bäume"], ["CSV"], "dl-de-by-2.0",
     {"deleted": True}),
    ("injection", "Robert'); DROP TABLE jena_search_doc;--", "stadt-jena", [], ["Test"], ["CSV"],
     "dl-de-by-2.0", {"notes": 'Titel mit "Anführungszeichen" und \\ Backslash'}),
    ("kleinschreibung", "zebrastreifen", "stadt-jena", [], [], ["CSV"], "dl-de-by-2.0", {}),
    ("aemter", "Ämter und Behörden", "stadt-jena", [], [], ["CSV"], "dl-de-by-2.0", {}),
    ("strassenbahn", "Straßenbahnnetz", "stadtwerke", ["verkehr"], ["ÖPNV", "Straßenbahn"], ["GeoJSON"],
     "cc-by", {"spatial": '{"type":"LineString","coordinates":[[11.62,50.90],[11.65,50.95]]}'}),
    ("baum-des-jahres", "Baum des Jahres", "stadt-jena", [], [], ["PDF"], "dl-de-by-2.0", {}),
]

PUBLIC_ACTIVE = [d[0] for d in DATASETS
                 if not d[7].get("private") and not d[7].get("state") and not d[7].get("deleted")]
