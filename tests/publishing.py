"""What the tests publish into the portal as a sysadmin would: a dataset of
its organisation, and a resource linked to a file the loopback data provider
(the `loopback` fixture) serves."""
from ckan.tests import helpers


def create_dataset(admin, org, name="baeume", title="Bäume", notes="Alle Bäume", **fields):
    return helpers.call_action("package_create", {"user": admin["name"]}, name=name, title=title,
                               notes=notes, owner_org=org["id"], **fields)


def link_file(admin, dataset, loopback, path, body, ctype="text/csv", **fields):
    """Serve `body` (bytes, or text as UTF-8) at `path` and add its URL to `dataset`."""
    files, base = loopback
    files[path] = (body if isinstance(body, bytes) else body.encode("utf-8"), ctype)
    return helpers.call_action("resource_create", {"user": admin["name"]}, package_id=dataset["id"],
                               url=base + path, **fields)
