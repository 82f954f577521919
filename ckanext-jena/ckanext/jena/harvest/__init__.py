"""The harvest dashboard (plugin jena_harvest): the runner's records of each
run, the stewards' pages /ernte, run now, alerts. See plugins/harvest.py."""
