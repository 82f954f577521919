"""Plugins that exist only for the tests (entry points under ckan.test_plugins).

Installed with the package because `ckan -c test.ini db init` must import
them too, outside pytest."""
import ckan.plugins as p


class ViewsIndexPlugin(p.SingletonPlugin):
    """Indexes the extra `test_views` into CKAN's int field `views_total`,
    as a tracking plugin would, so numeric ranges and sorts can be tested."""
    p.implements(p.IPackageController, inherit=True)

    def before_dataset_index(self, pkg_dict):
        if pkg_dict.get("test_views"):
            pkg_dict["views_total"] = int(pkg_dict["test_views"])
        return pkg_dict
