"""DCAT-AP.de: the profile of our RDF output and its SHACL validation.

profile.py     the `dcat_ap_de` profile of ckanext-dcat (on top of euro_dcat_ap_3)
shapes.py      the validation profile "DCAT-AP 3.0.de – Deutsche Spezifikation" as local data
shacl.py       validating a graph or a dataset; the stored result and compliance()
results.py     pyshacl's report as structured results (where, path, value, messages)
messages.py    a result as text for the steward (the shapes' German messages or ours)
store.py, job.py, actions.py, views.py, cli.py   storage, background job, API, page, command
"""
