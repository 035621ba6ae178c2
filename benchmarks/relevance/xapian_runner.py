"""Xapian with its French stemmer: index the passages in memory, answer the queries.

Run by Debian's own ``/usr/bin/python3`` (``python3-xapian`` is built for it),
not by the project's virtual environment, so this file imports nothing from
the project::

    /usr/bin/python3 xapian_runner.py passages.jsonl queries.jsonl depth > ranked.jsonl

Passages are ``{"id", "text"}`` lines, queries ``{"qid", "text"}`` lines; each
output line is ``{"qid", "ids"}``, best first. Xapian as it comes: its
``TermGenerator`` and ``QueryParser`` with the French Snowball stemmer
(``STEM_SOME``: stemmed terms for plain words, exact terms in phrases), BM25
(its default weighting), words OR-ed, quoted phrases honoured. It keeps accents
and has no French stop list, as shipped.
"""

import json
import sys

import xapian


def main(passages_path, queries_path, depth):
    database = xapian.WritableDatabase("", xapian.DB_BACKEND_INMEMORY)
    stemmer = xapian.Stem("french")
    generator = xapian.TermGenerator()
    generator.set_stemmer(stemmer)
    generator.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    with open(passages_path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            passage = json.loads(line)
            document = xapian.Document()
            generator.set_document(document)
            generator.index_text(passage["text"])
            document.set_data(passage["id"])
            database.add_document(document)
    parser = xapian.QueryParser()
    parser.set_database(database)
    parser.set_stemmer(stemmer)
    parser.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    parser.set_default_op(xapian.Query.OP_OR)
    enquire = xapian.Enquire(database)
    flags = xapian.QueryParser.FLAG_PHRASE | xapian.QueryParser.FLAG_DEFAULT
    out = sys.stdout
    with open(queries_path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            query = json.loads(line)
            try:
                parsed = parser.parse_query(query["text"], flags)
            except xapian.QueryParserError:
                # what a user types may not parse as Xapian's syntax: words only
                parsed = parser.parse_query(query["text"], 0)
            enquire.set_query(parsed)
            # ties in docid order (the passages' order), as the others do by default
            ids = [match.document.get_data().decode("utf-8")
                   for match in enquire.get_mset(0, depth)]
            out.write(json.dumps({"qid": query["qid"], "ids": ids}) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: xapian_runner.py passages.jsonl queries.jsonl depth")
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
