"""The `dcat_ap_de` profile of ckanext-dcat: DCAT-AP.de 3.0 on top of its DCAT-AP 3 output.

Configured after ckanext-dcat's own profile (`ckanext.dcat.rdf.profiles = euro_dcat_ap_3
dcat_ap_de`) it adds and corrects what DCAT-AP.de wants; alone it runs euro_dcat_ap_3 first.

- the DCAT-AP.de properties our schema stores: dcatde:contributorID,
  dcatde:politicalGeocodingLevelURI, the geocoding URI as dct:spatial (3.0), the maintainer
  as geodcatap:custodian and the creator as geodcatap:originator (3.0), the attribution as
  dcatde:licenseAttributionByText on every distribution; with
  `ckanext.jena.dcat.dcatde_2_properties` (default on) also the 2.0 forms GovData's
  harvester still reads (dcatde:politicalGeocodingURI, dcatde:maintainer,
  dcatde:originator), which the 3.0 shapes report as deprecated (warnings);
- URIs for controlled values: file type, media type and licence of each distribution
  (stored as ids), the catalogue's language;
- checksums as spdx:Checksum with the SPDX algorithm and the hex value;
- dcat:downloadURL for files, dcat:accessService (a dcat:DataService) for WMS/WFS/WMTS;
- contact points as vcard:Organization with e-mail/web/phone IRIs (the organisation's
  contact when the dataset names none), publishers with their ADMS type;
- the extent as dcat:bbox (and a locn:Geometry node for other shapes): the 3.0.0 shapes
  do not accept a literal locn:geometry.

parse_dataset reads the same properties back into our schema's fields.
"""
from __future__ import annotations

import re
from typing import Any, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rdflib import BNode, Literal, URIRef

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.dcat.profiles.base import CleanedURIRef
from ckanext.dcat.utils import resource_uri

from ckanext.jena.vocabularies import vocabulary

from .namespaces import (DCAT, DCATDE, DCT, FOAF, GEODCATAP, GSP, LOCN, RDF, SKOS, SPDX, VCARD,
                         XSD)

IANA = "https://www.iana.org/assignments/media-types/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
DATA_THEMES = URIRef("http://publications.europa.eu/resource/authority/data-theme")
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
# Hex digits per algorithm, to name the algorithm of a bare hex hash.
ALGORITHM_BY_LENGTH = {32: "md5", 40: "sha1", 56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}
ALGORITHMS = {"md2", "md4", "md5", "md6", "sha1", "sha224", "sha256", "sha384", "sha512",
              "sha3_256", "sha3_384", "sha3_512", "blake2b256", "blake2b384", "blake2b512", "blake3",
              "adler32"}
# Resource formats that are services, not files (ids of schemas/vocabularies/file-types.json).
SERVICES = {"WMS_SRVC": ("WMS", "http://www.opengeospatial.org/standards/wms"),
            "WFS_SRVC": ("WFS", "http://www.opengeospatial.org/standards/wfs"),
            "WMTS_SRVC": ("WMTS", "http://www.opengeospatial.org/standards/wmts")}
NOT_FILES = set(SERVICES) | {"HTML"}
# Prefixes the Turtle output shows for the DCAT-AP.de terms.
NAMESPACES = {"dcatde": DCATDE, "geodcatap": GEODCATAP, "skos": SKOS}
LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority"
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def legacy_properties() -> bool:
    return tk.asbool(tk.config.get("ckanext.jena.dcat.dcatde_2_properties", True))


def _publisher_type() -> str:
    return tk.config.get("ckanext.jena.dcat.publisher_type", LOCAL_AUTHORITY) or ""


def _term_uri(name: str, value: Any) -> Optional[str]:
    term = vocabulary(name).find(value) if isinstance(value, str) else None
    return term.uri if term is not None and term.uri else None


def _term_id(name: str, uri: Any) -> Optional[str]:
    term = vocabulary(name).find(str(uri)) if uri else None
    return term.id if term is not None else None


def media_type_uri(value: Any) -> Optional[str]:
    """The IANA URI of a media type: from our vocabulary, else built for a
    registered-looking type/subtype (an x- subtype has no IANA page)."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if value.startswith(IANA):
        return value
    known = _term_uri("media-types", value)
    if known:
        return known
    value = value.lower().split(";")[0].strip()
    if _MEDIA_TYPE.match(value) and not value.split("/")[1].startswith("x-"):
        return IANA + value
    return None


def checksum(resource: dict) -> Optional[tuple[str, str]]:
    """(SPDX algorithm name, lower-case hex) of a resource hash such as our
    harvesters' "sha256:…", ckanext-dcat's hash + hash_algorithm, or bare hex."""
    value = (resource.get("hash") or "").strip()
    if not value:
        return None
    algorithm = None
    if ":" in value and not value.startswith("http"):
        algorithm, value = value.split(":", 1)
    algorithm = _algorithm_name(algorithm or resource.get("hash_algorithm") or "") \
        or ALGORITHM_BY_LENGTH.get(len(value), "")
    if not _HEX.match(value) or len(value) % 2 or algorithm not in ALGORITHMS:
        return None  # not a checksum a consumer could verify: better none than a wrong one
    return algorithm, value.lower()


def _algorithm_name(text: str) -> str:
    """"sha256" of "SHA-256", "sha256" or SPDX's ".../terms#checksumAlgorithm_sha256"."""
    text = str(text or "")
    text = text.split("checksumAlgorithm_", 1)[1] if "checksumAlgorithm_" in text else text.rsplit("/", 1)[-1]
    text = text.lower().replace("-", "")
    return "sha3_" + text[4:] if text.startswith("sha3") and not text.startswith("sha3_") else text


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _capabilities_url(url: str, service: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.upper() not in (
        "SERVICE", "REQUEST", "LAYERS", "BBOX", "WIDTH", "HEIGHT", "FORMAT", "CRS", "SRS",
        "STYLES", "TYPENAME", "TYPENAMES", "COUNT", "MAXFEATURES", "STARTINDEX", "OUTPUTFORMAT")]
    query += [("SERVICE", service), ("REQUEST", "GetCapabilities")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class DCATAPdeProfile(EuropeanDCATAP3Profile):
    """DCAT-AP.de 3.0 (German national profile of DCAT-AP 3)."""

    # ---- CKAN -> RDF ------------------------------------------------------

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        if (dataset_ref, RDF.type, DCAT.Dataset) not in self.g:
            super().graph_from_dataset(dataset_dict, dataset_ref)
        for prefix, namespace in NAMESPACES.items():
            self.g.bind(prefix, namespace)
        self._dcatde_dataset(dataset_dict, dataset_ref)
        self._agents_de(dataset_dict, dataset_ref)
        self._contacts_de(dataset_dict, dataset_ref)
        self._extent_de(dataset_dict, dataset_ref)
        publisher = self.g.value(dataset_ref, DCT.publisher)
        for resource in dataset_dict.get("resources", []):
            self._distribution_de(dataset_dict, dataset_ref, resource, publisher)

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        if (catalog_ref, RDF.type, DCAT.Catalog) not in self.g:
            super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        # ckanext-dcat gives the locale ("de") as a literal; DCAT-AP wants the EU URI.
        for language in list(g.objects(catalog_ref, DCT.language)):
            if isinstance(language, Literal):
                g.remove((catalog_ref, DCT.language, language))
                uri = _term_uri("languages", {"de": "DEU", "en": "ENG", "fr": "FRA", "pl": "POL",
                                              "cs": "CES"}.get(str(language)[:2].lower(), str(language)))
                if uri:
                    g.add((catalog_ref, DCT.language, URIRef(uri)))
                    g.add((URIRef(uri), RDF.type, DCT.LinguisticSystem))
        if (catalog_ref, DCT.description, None) not in g:
            g.add((catalog_ref, DCT.description, Literal(
                tk.config.get("ckan.site_description") or tk.config.get("ckan.site_title") or "")))
        if (catalog_ref, DCT.publisher, None) not in g:
            uri = tk.config.get("ckanext.jena.dcat.catalog_publisher_uri") or ""
            publisher = CleanedURIRef(uri) if uri else BNode()
            g.add((catalog_ref, DCT.publisher, publisher))
            self._agent_de(publisher, tk.config.get("ckanext.jena.dcat.catalog_publisher_name")
                           or tk.config.get("ckan.site_title"), kind=_publisher_type())
        if (catalog_ref, DCAT.themeTaxonomy, None) not in g:
            g.add((catalog_ref, DCAT.themeTaxonomy, DATA_THEMES))

    def _agent_de(self, node, name: Optional[str], email: Optional[str] = None,
                  kind: Optional[str] = None) -> None:
        """A foaf:Agent with its name (mandatory), e-mail and ADMS publisher type."""
        g = self.g
        g.add((node, RDF.type, FOAF.Agent))
        if name and (node, FOAF.name, None) not in g:
            g.add((node, FOAF.name, Literal(name)))
        if email and (node, VCARD.hasEmail, None) not in g:
            g.add((node, VCARD.hasEmail, URIRef(self._add_mailto(email))))
        if kind and (node, DCT.type, None) not in g:
            g.add((node, DCT.type, URIRef(kind)))

    def _dcatde_dataset(self, dataset_dict, dataset_ref):
        g = self.g
        contributor = dataset_dict.get("contributor_id")
        if contributor:
            g.add((dataset_ref, DCATDE.contributorID, CleanedURIRef(contributor)))
        level = dataset_dict.get("political_geocoding_level_uri")
        if level:
            g.add((dataset_ref, DCATDE.politicalGeocodingLevelURI, CleanedURIRef(level)))
        area = dataset_dict.get("political_geocoding_uri")
        if area:
            # DCAT-AP.de 3.0: the administrative unit is a dct:spatial location.
            location = CleanedURIRef(area)
            g.add((dataset_ref, DCT.spatial, location))
            g.add((location, RDF.type, DCT.Location))
            if legacy_properties():
                g.add((dataset_ref, DCATDE.politicalGeocodingURI, location))

    def _agents_de(self, dataset_dict, dataset_ref):
        g = self.g
        # The publisher: ckanext-dcat wrote it (ours or the organisation); add its type.
        for publisher in g.objects(dataset_ref, DCT.publisher):
            self._agent_de(publisher, None, kind=_publisher_type())
        # The creator is our originator (Urheber).
        for creator in list(g.objects(dataset_ref, DCT.creator)):
            g.add((dataset_ref, GEODCATAP.originator, creator))
            if legacy_properties():
                g.add((dataset_ref, DCATDE.originator, creator))
        if dataset_dict.get("maintainer"):
            custodian = BNode()
            self._agent_de(custodian, dataset_dict["maintainer"], dataset_dict.get("maintainer_email"))
            g.add((dataset_ref, GEODCATAP.custodian, custodian))
            if legacy_properties():
                g.add((dataset_ref, DCATDE.maintainer, custodian))

    def _organization(self, dataset_dict) -> dict:
        org = dataset_dict.get("organization") or {}
        if not org.get("id"):
            return {}
        if org["id"] not in self._org_cache:
            try:
                self._org_cache[org["id"]] = tk.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": org["id"], "include_datasets": False})
            except tk.ObjectNotFound:
                self._org_cache[org["id"]] = {}
        return self._org_cache[org["id"]]

    def _contacts_de(self, dataset_dict, dataset_ref):
        """The contact points again, as DCAT-AP.de wants them. ckanext-dcat also
        makes one of the maintainer, who is our custodian, not a contact."""
        g = self.g
        for node in list(g.objects(dataset_ref, DCAT.contactPoint)):
            g.remove((dataset_ref, DCAT.contactPoint, node))
            if isinstance(node, BNode):
                g.remove((node, None, None))
        contacts = [c for c in dataset_dict.get("contact") or [] if any(c.values())]
        if not contacts:
            org = self._organization(dataset_dict)
            if org and (org.get("contact_email") or org.get("website") or org.get("contact_phone")):
                contacts = [{"name": org.get("title"), "email": org.get("contact_email"),
                             "url": org.get("website"), "phone": org.get("contact_phone")}]
        for contact in contacts:
            node = CleanedURIRef(contact["uri"]) if contact.get("uri") else BNode()
            g.add((dataset_ref, DCAT.contactPoint, node))
            g.add((node, RDF.type, VCARD.Organization))
            if contact.get("name"):
                g.add((node, VCARD.fn, Literal(contact["name"])))
            if contact.get("email"):
                g.add((node, VCARD.hasEmail, URIRef(self._add_mailto(contact["email"]))))
            if contact.get("url"):
                g.add((node, VCARD.hasURL, CleanedURIRef(contact["url"])))
            if contact.get("phone"):
                number = re.sub(r"[^0-9+]", "", str(contact["phone"]))
                if number:
                    g.add((node, VCARD.hasTelephone, URIRef("tel:" + number)))

    def _extent_de(self, dataset_dict, dataset_ref):
        """A literal locn:geometry becomes dcat:bbox (and, for shapes that are not
        their own bounding box, a locn:Geometry node with the WKT)."""
        from shapely import wkt as shapely_wkt
        g = self.g
        for location in list(g.objects(dataset_ref, DCT.spatial)):
            for geometry in list(g.objects(location, LOCN.geometry)):
                if not isinstance(geometry, Literal):
                    continue
                g.remove((location, LOCN.geometry, geometry))
                try:
                    shape = shapely_wkt.loads(str(geometry)) if geometry.datatype == GSP.wktLiteral else None
                except Exception:  # shapely's parser raises several kinds
                    shape = None
                if shape is None or shape.is_empty:
                    continue
                envelope = shape.envelope
                g.add((location, DCAT.bbox, Literal(envelope.wkt, datatype=GSP.wktLiteral)))
                if not shape.equals(envelope):
                    node = BNode()
                    g.add((location, LOCN.geometry, node))
                    g.add((node, RDF.type, LOCN.Geometry))
                    g.add((node, GSP.asWKT, geometry))

    def _licence_uri(self, dataset_dict, resource) -> Optional[str]:
        return (_term_uri("licenses", resource.get("license"))
                or _term_uri("licenses", dataset_dict.get("license_id"))
                or (dataset_dict.get("license_url") or None))

    def _distribution_de(self, dataset_dict, dataset_ref, resource, publisher):
        g = self.g
        distribution = CleanedURIRef(resource_uri(resource))
        fmt = (resource.get("format") or "").strip()

        # Controlled values as URIs (our schema stores the short ids CKAN shows).
        for predicate, vocab in ((DCT["format"], "file-types"), (DCAT.mediaType, "media-types")):
            for value in list(g.objects(distribution, predicate)):
                if isinstance(value, URIRef):
                    continue
                uri = _term_uri(vocab, str(value)) if vocab == "file-types" else media_type_uri(str(value))
                if uri:
                    g.remove((distribution, predicate, value))
                    g.add((distribution, predicate, URIRef(uri)))
                    g.add((URIRef(uri), RDF.type, DCT.MediaTypeOrExtent if vocab == "file-types"
                           else DCT.MediaType))

        licence = self._licence_uri(dataset_dict, resource)
        for value in list(g.objects(distribution, DCT.license)):
            g.remove((distribution, DCT.license, value))
            # ckanext-dcat types every licence "UnknownIPR"; ours are known.
            g.remove((value, DCT.type, URIRef("http://purl.org/adms/licencetype/UnknownIPR")))
        if licence:
            g.add((distribution, DCT.license, CleanedURIRef(licence)))
            g.add((CleanedURIRef(licence), RDF.type, DCT.LicenseDocument))

        attribution = dataset_dict.get("license_attribution")
        if attribution:
            g.add((distribution, DCATDE.licenseAttributionByText, Literal(attribution)))

        # The checksum: spdx:Checksum with algorithm and the bare hex value.
        for node in list(g.objects(distribution, SPDX.checksum)):
            g.remove((distribution, SPDX.checksum, node))
            g.remove((node, None, None))
        digest = checksum(resource)
        if digest:
            node = BNode()
            algorithm = SPDX["checksumAlgorithm_" + digest[0]]
            g.add((distribution, SPDX.checksum, node))
            g.add((node, RDF.type, SPDX.Checksum))
            g.add((node, SPDX.algorithm, algorithm))
            g.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))
            g.add((node, SPDX.checksumValue, Literal(digest[1], datatype=XSD.hexBinary)))

        url = resource.get("url")
        if url and (distribution, DCAT.downloadURL, None) not in g and fmt.upper() not in NOT_FILES \
                and (resource.get("url_type") == "upload" or _term_uri("file-types", fmt)):
            g.add((distribution, DCAT.downloadURL, CleanedURIRef(url)))

        # dcat:accessURL is mandatory in DCAT-AP; ckanext-dcat leaves it out when a
        # resource's url equals its download_url. A file that is downloaded
        # directly is accessed at its download URL (DCAT-AP's usage note).
        if (distribution, DCAT.accessURL, None) not in g:
            for target in list(g.objects(distribution, DCAT.downloadURL))[:1] or \
                    ([CleanedURIRef(url)] if url else []):
                g.add((distribution, DCAT.accessURL, target))

        if fmt.upper() in SERVICES and url:
            self._service_de(dataset_ref, distribution, resource, fmt.upper(), publisher, licence)

    def _service_de(self, dataset_ref, distribution, resource, fmt, publisher, licence):
        g = self.g
        name, standard = SERVICES[fmt]
        url = resource["url"]
        service = BNode()
        g.add((distribution, DCAT.accessService, service))
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCT.title, Literal(resource.get("name") or f"{name}-Dienst")))
        g.add((service, DCAT.endpointURL, CleanedURIRef(_without_query(url))))
        g.add((service, DCAT.endpointDescription, CleanedURIRef(_capabilities_url(url, name))))
        g.add((service, DCT.conformsTo, URIRef(standard)))
        g.add((service, DCAT.servesDataset, dataset_ref))
        if publisher is not None:
            g.add((service, DCT.publisher, publisher))
        if licence:
            g.add((service, DCT.license, CleanedURIRef(licence)))

    # ---- RDF -> CKAN ------------------------------------------------------

    def parse_dataset(self, dataset_dict, dataset_ref):
        if not dataset_dict.get("title"):
            dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        g = self.g
        extras = {e["key"]: e for e in dataset_dict.get("extras", [])}

        def put(key, value):
            if value in (None, ""):
                return
            dataset_dict[key] = value
            if key in extras:
                dataset_dict["extras"].remove(extras.pop(key))

        put("contributor_id", self._object_value(dataset_ref, DCATDE.contributorID))
        put("political_geocoding_level_uri",
            self._object_value(dataset_ref, DCATDE.politicalGeocodingLevelURI))
        area = self._object_value(dataset_ref, DCATDE.politicalGeocodingURI) or next(
            (str(s) for s in g.objects(dataset_ref, DCT.spatial)
             if isinstance(s, URIRef) and str(s).startswith(GEOCODING)), None)
        put("political_geocoding_uri", area)
        custodian = g.value(dataset_ref, GEODCATAP.custodian) or g.value(dataset_ref, DCATDE.maintainer)
        if custodian is not None:
            put("maintainer", self._object_value(custodian, FOAF.name))
            put("maintainer_email", self._without_mailto(self._object_value(custodian, VCARD.hasEmail)))
        if not dataset_dict.get("creator"):
            originator = g.value(dataset_ref, GEODCATAP.originator) or g.value(dataset_ref, DCATDE.originator)
            if originator is not None and self._object_value(originator, FOAF.name):
                put("creator", [{"name": self._object_value(originator, FOAF.name),
                                 "uri": str(originator) if isinstance(originator, URIRef) else ""}])
        for resource in dataset_dict.get("resources", []):
            distribution = URIRef(resource.get("distribution_ref") or resource.get("uri") or "")
            attribution = self._object_value(distribution, DCATDE.licenseAttributionByText)
            if attribution:
                put("license_attribution", attribution)
            self._parse_distribution_de(resource, distribution)
        return dataset_dict

    def _parse_distribution_de(self, resource, distribution):
        g = self.g
        fmt = g.value(distribution, DCT["format"])
        if fmt is not None and _term_id("file-types", fmt):
            resource["format"] = _term_id("file-types", fmt)
        media = g.value(distribution, DCAT.mediaType)
        if isinstance(media, URIRef) and str(media).startswith(IANA):
            resource["mimetype"] = str(media)[len(IANA):]
        licence = g.value(distribution, DCT.license)
        if licence is not None and _term_id("licenses", licence):
            resource["license"] = _term_id("licenses", licence)
        node = g.value(distribution, SPDX.checksum)
        if node is not None:
            algorithm = _algorithm_name(g.value(node, SPDX.algorithm))
            value = self._object_value(node, SPDX.checksumValue)
            if value:
                resource["hash"] = f"{algorithm}:{value}" if algorithm in ALGORITHMS else value
                resource.pop("hash_algorithm", None)
