"""Queries parsed at the same time in several threads (gunicorn's gthread
workers) each get their own tree: under load, valid queries were refused as
syntax errors (HTTP 500 on the home page) because PLY's lexer is shared."""
import threading

from ckanext.jena.pgsearch import translate

QUERIES = ['+capacity:public +state:(active)', '+site_id:"test.ckan.net"',
           'title:(Baum OR Bäume) AND -tags:alt', 'notes:"Grünflächen in Jena"~2 OR name:gruen*',
           '(a AND b) OR (c AND NOT d)', 'metadata_modified:[2020-01-01T00:00:00Z TO NOW]']


def test_queries_parsed_in_parallel_threads_are_each_parsed_as_alone():
    expected = {q: str(translate.parse(q)) for q in QUERIES}
    failures = []
    start = threading.Barrier(8)

    def work(n):
        start.wait()
        for i in range(400):
            q = QUERIES[(n + i) % len(QUERIES)]
            try:
                got = str(translate.parse(q))
            except Exception as e:  # the defect: another thread's tokens
                got = f"error: {e}"
            if got != expected[q]:
                failures.append((q, got))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [], failures[:3]
