"""Export to OpenSearch / Elasticsearch: the files an engine is given, read back
as the engines' documented formats read them (the bulk API's NDJSON, the index
creation body). The analyzer itself is checked against Lucene in
``test_export_lucene.py``."""

from __future__ import annotations

import base64
import json

import pytest

import frsearch
from frsearch.export import (
    BULK_PASSAGES,
    ExportError,
    export_opensearch,
    index_definition,
    synonym_rules,
    word_overrides,
)
from frsearch.synonyms import load_synonyms


@pytest.fixture(scope="module")
def exported(seed_index_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    report = export_opensearch(seed_index_folder, out)
    return out, report


def _bulk_pairs(out):
    pairs = []
    for name in sorted(p.name for p in out.glob("bulk-*.ndjson")):
        text = (out / name).read_text(encoding="utf-8")
        assert text.endswith("\n")  # the bulk API needs the last line ended
        lines = text.splitlines()
        assert len(lines) % 2 == 0
        pairs += [(json.loads(action), json.loads(document))
                  for action, document in zip(lines[::2], lines[1::2], strict=True)]
    return pairs


def test_every_passage_is_one_index_action_with_its_id(exported, seed_passages, seed_index):
    out, report = exported
    pairs = _bulk_pairs(out)
    assert report.passages == len(pairs) == len(seed_passages) == 46
    ids = [action["index"]["_id"] for action, _ in pairs]
    assert sorted(ids) == sorted(seed_passages)
    for action, document in pairs:
        assert set(action) == {"index"} and "_index" not in action["index"]
        assert document["passage_id"] == action["index"]["_id"]
        assert document["text"] == seed_passages[document["passage_id"]]
    # every field a hit shows is carried, and the sketch is the index's own
    hit = seed_index.search("sanctions", collapse=False).hits[0]
    document = next(d for _, d in pairs if d["passage_id"] == hit.passage_id)
    for name in ("article_id", "title", "date", "paragraph", "heading", "source", "meta"):
        assert document[name] == getattr(hit, name)
    assert len(base64.b64decode(document["sketch"])) == 16


def test_mappings_cover_every_document_field(exported):
    out, _ = exported
    definition = json.loads((out / "index.json").read_text())
    properties = definition["mappings"]["properties"]
    assert definition["mappings"]["dynamic"] == "strict"  # a field left out would be refused
    for _, document in _bulk_pairs(out):
        assert set(document) <= set(properties)
    assert properties["meta"]["type"] == "flat_object"
    assert properties["date_value"]["type"] == "date"
    analyzers = definition["settings"]["analysis"]["analyzer"]
    for field in ("title", "heading", "text"):
        assert properties[field]["analyzer"] in analyzers
        assert properties[field]["search_analyzer"] in analyzers


def test_elasticsearch_differs_only_in_the_metadata_type(exported, seed_index_folder, tmp_path):
    out, _ = exported
    export_opensearch(seed_index_folder, tmp_path, flavour="elasticsearch")
    opensearch = json.loads((out / "index.json").read_text())
    elastic = json.loads((tmp_path / "index.json").read_text())
    assert elastic["mappings"]["properties"].pop("meta") == {"type": "flattened"}
    opensearch["mappings"]["properties"].pop("meta")
    assert elastic == opensearch
    assert [p.read_bytes() for p in sorted(tmp_path.glob("bulk-*"))] == \
        [p.read_bytes() for p in sorted(out.glob("bulk-*"))]


def test_exporting_again_writes_the_same_files(exported, seed_index_folder, tmp_path):
    out, _ = exported
    (tmp_path / "bulk-00009.ndjson").write_text("left by an earlier, longer export\n")
    (tmp_path / "notes.txt").write_text("not ours")
    export_opensearch(seed_index_folder, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        ["bulk-00001.ndjson", "index.json", "notes.txt", "vocabulary.json"]
    for name in ("bulk-00001.ndjson", "index.json", "vocabulary.json"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_bulk_files_are_cut_every_so_many_passages(tmp_path):
    lines = [f"Paragraphe numéro {n} sur les sanctions." for n in range(BULK_PASSAGES + 3)]
    (tmp_path / "long.txt").write_text("Un long article\n\n" + "\n\n".join(lines),
                                       encoding="utf-8")
    with frsearch.open_index(tmp_path / "index", create=True) as index:
        index.add([tmp_path / "long.txt"])
    report = export_opensearch(tmp_path / "index", tmp_path / "out")
    assert report.bulk_files == ("bulk-00001.ndjson", "bulk-00002.ndjson")
    first = (tmp_path / "out" / "bulk-00001.ndjson").read_text().splitlines()
    assert len(first) == 2 * BULK_PASSAGES


def test_vocabulary_holds_terms_with_passage_counts_and_accent_forms(exported, seed_passages):
    out, report = exported
    vocabulary = json.loads((out / "vocabulary.json").read_text())
    holding = sum(1 for text in seed_passages.values() if "sanction" in frsearch.analyze(text))
    assert vocabulary["terms"]["sanction"] == holding > 1
    assert vocabulary["passages"] == 46 and len(vocabulary["terms"]) == report.terms
    assert "crimee\x1fcrim" in vocabulary["forms"]  # Crimée typed without its accent


def test_synonym_rules_are_the_groups_as_words():
    rules = synonym_rules()
    assert "États Unis, USA" in rules  # the hyphen cuts words, as the tokenizer does
    assert "Kiev, Kyiv" in rules  # Kyïv analyses as Kyiv: one variant
    groups = load_synonyms()
    for rule in rules:
        variants = [tuple(frsearch.analyze(v)) for v in rule.split(", ")]
        assert set(groups.variants(variants[0])) == set(variants)


def test_a_user_synonym_file_drops_stop_words_inside_a_variant(tmp_path):
    path = tmp_path / "groupes.txt"
    path.write_text("Ministère de l'Intérieur, Beauvau\n", encoding="utf-8")
    assert "Ministère Intérieur, Beauvau" in synonym_rules(path)


def test_overrides_give_frsearch_terms_for_words_snowball_releases_disagree_on():
    overrides = word_overrides(["Les genoux de la Française, un mauvais palais archaïque, "
                                "le mot λόγος ; il le nie. Les sanctions contre l’Ukraine."])
    assert overrides == {
        "genoux": "genou", "française": "franc", "mauvais": "mauvais", "palais": "palais",
        "archaïque": "archa", "λόγος": "logos", "nie": "nie",
    }


def test_unknown_engine_is_refused():
    with pytest.raises(ExportError, match="unknown engine 'solr'"):
        index_definition("solr")


def test_cli_export(cli, seed_index_folder, tmp_path):
    done = cli("export", "--opensearch", str(tmp_path / "out"), "--index",
               str(seed_index_folder), "--elasticsearch")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("46 passages in 1 bulk files")
    assert "(elasticsearch)" in done.stdout
    missing = cli("export", "--opensearch", str(tmp_path / "x"), "--index",
                  str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
