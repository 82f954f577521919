"""Extract ckanext-jena's messages (Python and templates) into the .pot and
merge them into the de/en catalogues: `make i18n`.

Babel's mapping files cannot name CKAN's template extractor (module:function
clashes with the `[method: pattern]` syntax), so the mapping is given here.
"""
import os
import subprocess
import sys

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "ckanext-jena", "ckanext", "jena")
I18N = os.path.join(PACKAGE, "i18n")
METHODS = [("schemas/**", "ignore"), ("**.py", "python"),
           ("templates/**.html", "ckan.lib.extract:extract_ckan")]

catalog = Catalog(project="ckanext-jena", version="0.1.0")
for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, METHODS, keywords={"_": None, "ungettext": (1, 2)}):
    catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
pot = os.path.join(I18N, "ckanext-jena.pot")
with open(pot, "wb") as f:
    write_po(f, catalog, omit_header=False, no_location=True, sort_output=True)
print(f"{len(catalog)} messages in {pot}")
for lang in ("de", "en"):
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "pybabel"), "-q", "update",
                    "-D", "ckanext-jena", "-i", pot, "-d", I18N, "-l", lang, "--no-fuzzy-matching"],
                   check=True)
