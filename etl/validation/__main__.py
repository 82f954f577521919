"""One validation job in a child process (see child.py): JSON on stdin, JSON on stdout."""
import json
import os
import sys


def main() -> None:
    limit = os.environ.get("JENA_VALIDATION_MEMORY")
    if limit:  # before the parsers are imported, so that they live within it too
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
    from .child import peak_mb
    job = json.load(sys.stdin)
    kind = job.pop("kind")
    if kind == "keys":
        from .parts import duplicate_keys
        out = {"errors": duplicate_keys(**job)}
    elif kind == "part":
        from .parts import validate_part
        out = validate_part(**job)
    else:
        from .table import read
        out = read(**job).to_json()
    json.dump(dict(out, peak_mb=peak_mb()), sys.stdout)


main()
