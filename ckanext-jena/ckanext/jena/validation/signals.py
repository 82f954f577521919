"""What validation tells other plugins, as CKAN signals (blinker, ISignal).

`resource_validated` is sent after a resource's verdict is stored, with the
resource id as sender and `status` (valid, invalid, error). The DataStore
loader subscribes: a valid table is loaded, and the validation job need not
know whether that plugin is enabled.
"""
import ckan.plugins.toolkit as tk

resource_validated = tk.signals.ckanext.signal(
    "jena_resource_validated", "a resource's validation verdict was stored")
