"""RDF namespaces of DCAT-AP.de beyond those ckanext-dcat defines."""
from rdflib import Namespace
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from ckanext.dcat.profiles.base import (ADMS, DCAT, DCATAP, DCT, FOAF, GSP, LOCN, OWL, SPDX,
                                        TIME, VCARD)

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
GEODCATAP = Namespace("http://data.europa.eu/930/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

# Prefixes for showing paths and classes to people ("dct:format").
PREFIXES = {
    "dct": DCT, "dcat": DCAT, "dcatde": DCATDE, "dcatap": DCATAP, "foaf": FOAF, "vcard": VCARD,
    "spdx": SPDX, "skos": SKOS, "adms": ADMS, "geodcatap": GEODCATAP, "locn": LOCN, "gsp": GSP,
    "prov": PROV, "odrl": ODRL, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "time": TIME, "xsd": XSD,
    "sh": SH,
}


def qname(uri) -> str:
    text = str(uri)
    # Longest namespace first: dcatde's is inside no other, but be exact anyway.
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if text.startswith(str(ns)) and len(text) > len(str(ns)):
            return f"{prefix}:{text[len(str(ns)):]}"
    return text


__all__ = ["ADMS", "DCAT", "DCATAP", "DCATDE", "DCT", "FOAF", "GEODCATAP", "GSP", "HYDRA", "LOCN", "ODRL",
           "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "SPDX", "TIME", "VCARD", "XSD", "qname"]
