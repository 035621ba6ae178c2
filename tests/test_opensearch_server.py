"""The whole path against a real OpenSearch or Elasticsearch server: export the
seeds, push them, search through the engine and compare with the local index.
Runs only when ``FRSEARCH_OPENSEARCH_URL`` names a server (and
``FRSEARCH_OPENSEARCH_FLAVOUR`` is ``elasticsearch`` for Elastic); no mock."""

from __future__ import annotations

import os
import uuid

import pytest

from frsearch.export import export_opensearch
from frsearch.opensearch import connect_opensearch, push_opensearch

URL = os.environ.get("FRSEARCH_OPENSEARCH_URL")
FLAVOUR = os.environ.get("FRSEARCH_OPENSEARCH_FLAVOUR", "opensearch")
pytestmark = pytest.mark.skipif(
    not URL, reason="no server: set FRSEARCH_OPENSEARCH_URL to run against a real one")

QUERIES = ["sanctions", "Poutine Biden", "\"lignes rouges\"", "Kyiv", "crimee", "Kremlim",
           "présid*", "sanctions -Russie", "title:sanctions"]


@pytest.fixture(scope="module")
def remote(seed_index_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("push")
    export_opensearch(seed_index_folder, out, FLAVOUR)
    name = f"frsearch-test-{uuid.uuid4().hex[:8]}"
    report = push_opensearch(out, URL, name, FLAVOUR)
    assert report.count == report.passages == 46
    again = push_opensearch(out, URL, name, FLAVOUR)  # ids are document ids: no duplicates
    assert again.count == 46
    index = connect_opensearch(URL, name, out, FLAVOUR)
    yield index
    index._client.indices.delete(index=name)


@pytest.mark.parametrize("query", QUERIES)
def test_the_engine_finds_what_the_local_index_finds(query, remote, seed_index):
    local = seed_index.search(query, limit=10, collapse=False)
    found = remote.search(query, limit=10, collapse=False)
    assert {hit.passage_id for hit in found.hits} == {hit.passage_id for hit in local.hits} \
        or found.total == local.total
    marks = {hit.passage_id: hit.matches for hit in local.hits}
    for hit in found.hits:
        if hit.passage_id in marks:
            assert hit.matches == marks[hit.passage_id]
