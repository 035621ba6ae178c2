import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.DisjunctionMaxQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.QueryBuilder;

/**
 * An exported index (frsearch's {@code index.json} and bulk files) loaded into Lucene
 * and searched with the query DSL that {@code frsearch.opensearch.translate} writes,
 * scored by BM25 (k1 1.2, b 0.75: the engines' default similarity): how one shard of
 * OpenSearch or Elasticsearch would rank the passages, without a server.
 *
 * <p>Usage: {@code java SearchWithSettings index.json EXPORT_DIR queries.jsonl DEPTH > ranked.jsonl},
 * or {@code java SearchWithSettings index.json EXPORT_DIR --size FOLDER}: the passages
 * indexed on disk in FOLDER as a shard holds them (each passage's source kept, as
 * {@code _source}, by Lucene's default stored-fields compression), merged to one segment,
 * and one JSON line saying how many passages, bytes and seconds.
 * Each query line is {@code {"qid", "query": <DSL>}}; each output line {@code {"qid",
 * "total", "ids": [...], "scores": [...]}}: how many passages match, and the best first. The analyzers are {@link
 * AnalyzeWithSettings#build}'s; title, heading and text are analysed with the mapping's
 * {@code analyzer} at indexing and its {@code search_analyzer} in queries.
 *
 * <p>The DSL is read as the engines read it: {@code bool} (a {@code should} is optional
 * beside {@code must} or {@code filter} unless {@code minimum_should_match} says
 * otherwise), {@code match} (operator or/and, multi-word synonyms as phrases),
 * {@code match_phrase} (slop), {@code multi_match} (best_fields or phrase: the best
 * field's score), {@code terms} and {@code prefix} (constant score, times the boost),
 * {@code term}, {@code match_all}, {@code match_none}. Any other form stops the run:
 * nothing is scored silently otherwise.
 */
public final class SearchWithSettings {
    private static final String[] TEXT_FIELDS = {"title", "heading", "text"};
    /** Matched whole; {@code paragraph}, an integer in the mapping, as its decimal digits
     * (a {@code term} query on it matches the same passages as on the engines' integer). */
    private static final String[] KEYWORD_FIELDS = {"passage_id", "article_id", "date", "paragraph"};

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: SearchWithSettings index.json EXPORT_DIR queries.jsonl DEPTH");
            System.exit(2);
        }
        Map<String, Object> definition = AnalyzeWithSettings.Json.object(
            new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8));
        Map<String, Object> analysis = map(map(definition.get("settings")).get("analysis"));
        Map<String, Object> text = map(map(map(definition.get("mappings")).get("properties")).get("text"));
        Analyzer indexAnalyzer = AnalyzeWithSettings.build(analysis, (String) text.get("analyzer"));
        Analyzer searchAnalyzer = AnalyzeWithSettings.build(analysis, (String) text.get("search_analyzer"));
        Map<String, Analyzer> perField = new HashMap<>();
        for (String field : TEXT_FIELDS) {
            perField.put(field, indexAnalyzer);
        }
        Analyzer fieldAnalyzers = new PerFieldAnalyzerWrapper(indexAnalyzer, perField);
        if (args[2].equals("--size")) {
            size(fieldAnalyzers, Paths.get(args[1]), Paths.get(args[3]));
            return;
        }
        int depth = Integer.parseInt(args[3]);

        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig(fieldAnalyzers).setSimilarity(new BM25Similarity());
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (String source : sources(Paths.get(args[1]))) {
                writer.addDocument(document(AnalyzeWithSettings.Json.object(source)));
            }
        }

        IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(directory));
        searcher.setSimilarity(new BM25Similarity());
        Dsl dsl = new Dsl(searchAnalyzer);
        try (BufferedReader lines = Files.newBufferedReader(Paths.get(args[2]), StandardCharsets.UTF_8);
             BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> request = AnalyzeWithSettings.Json.object(line);
                Query query = dsl.query(map(request.get("query")));
                StringBuilder record = new StringBuilder("{\"qid\":");
                AnalyzeWithSettings.Json.write(record, (String) request.get("qid"));
                StringBuilder ids = new StringBuilder();
                StringBuilder scores = new StringBuilder();
                for (ScoreDoc hit : searcher.search(query, depth).scoreDocs) {
                    ids.append(ids.length() == 0 ? "" : ",");
                    AnalyzeWithSettings.Json.write(ids, searcher.doc(hit.doc).get("passage_id"));
                    scores.append(scores.length() == 0 ? "" : ",").append(hit.score);
                }
                record.append(",\"total\":").append(searcher.count(query))
                    .append(",\"ids\":[").append(ids).append("],\"scores\":[").append(scores).append("]}\n");
                out.write(record.toString());
            }
        }
    }

    /** The passages of the export's bulk files, in order: each pair's second line. */
    private static List<String> sources(Path exportDir) throws IOException {
        TreeSet<Path> bulkFiles = new TreeSet<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(exportDir, "bulk-*.ndjson")) {
            found.forEach(bulkFiles::add);
        }
        List<String> passages = new ArrayList<>();
        for (Path bulk : bulkFiles) {
            try (BufferedReader lines = Files.newBufferedReader(bulk, StandardCharsets.UTF_8)) {
                for (String action = lines.readLine(); action != null; action = lines.readLine()) {
                    if (!action.isBlank()) {
                        passages.add(lines.readLine());
                    }
                }
            }
        }
        return passages;
    }

    /** The passages indexed on disk with their sources, merged: what one shard's files weigh. */
    private static void size(Analyzer analyzer, Path exportDir, Path folder) throws IOException {
        long started = System.nanoTime();
        int count = 0;
        try (FSDirectory directory = FSDirectory.open(folder);
             IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(analyzer)
                 .setOpenMode(IndexWriterConfig.OpenMode.CREATE))) {
            for (String source : sources(exportDir)) {
                Document document = document(AnalyzeWithSettings.Json.object(source));
                document.add(new StoredField("_source", new BytesRef(source.getBytes(StandardCharsets.UTF_8))));
                writer.addDocument(document);
                count++;
            }
            writer.forceMerge(1);
        }
        long bytes = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                bytes += Files.size(file);
            }
        }
        System.out.println("{\"passages\":" + count + ",\"bytes\":" + bytes + ",\"seconds\":"
                           + (System.nanoTime() - started) / 1e9 + "}");
    }

    /** A passage of a bulk file as the mapping indexes it (the fields a query reads). */
    private static Document document(Map<String, Object> source) {
        Document document = new Document();
        for (String field : KEYWORD_FIELDS) {
            Object value = source.get(field);
            if (value != null) {
                document.add(new StringField(field, value.toString(), Field.Store.NO));
            }
        }
        document.add(new StoredField("passage_id", (String) source.get("passage_id")));
        for (String field : TEXT_FIELDS) {
            Object value = source.get(field);
            if (value != null) {
                document.add(new TextField(field, value.toString(), Field.Store.NO));
            }
        }
        Map<String, Object> meta = map(source.get("meta"));
        if (meta != null) {
            for (Map.Entry<String, Object> entry : meta.entrySet()) {
                document.add(new StringField("meta." + entry.getKey(), String.valueOf(entry.getValue()),
                                             Field.Store.NO));
            }
        }
        return document;
    }

    /** The query DSL's forms that frsearch's translation writes, as Lucene queries. */
    static final class Dsl {
        private final QueryBuilder builder;

        Dsl(Analyzer searchAnalyzer) {
            builder = new QueryBuilder(searchAnalyzer);
            builder.setAutoGenerateMultiTermSynonymsPhraseQuery(true);  // the engines' default
        }

        Query query(Map<String, Object> spec) {
            if (spec.size() != 1) {
                throw new IllegalArgumentException("a query is one form, not " + spec.keySet());
            }
            String form = spec.keySet().iterator().next();
            Map<String, Object> body = map(spec.get(form));
            switch (form) {
                case "bool":
                    return bool(body);
                case "match_all":
                    return new MatchAllDocsQuery();
                case "match_none":
                    return new MatchNoDocsQuery();
                case "match": {
                    Map.Entry<String, Map<String, Object>> field = field(body);
                    Map<String, Object> options = field.getValue();
                    BooleanClause.Occur occur = "and".equals(options.get("operator"))
                        ? BooleanClause.Occur.MUST : BooleanClause.Occur.SHOULD;
                    Query made = builder.createBooleanQuery(field.getKey(), (String) options.get("query"), occur);
                    return boosted(orNothing(made), options);
                }
                case "match_phrase": {
                    Map.Entry<String, Map<String, Object>> field = field(body);
                    Map<String, Object> options = field.getValue();
                    int slop = ((Number) options.getOrDefault("slop", 0L)).intValue();
                    Query made = builder.createPhraseQuery(field.getKey(), (String) options.get("query"), slop);
                    return boosted(orNothing(made), options);
                }
                case "multi_match": {
                    List<Query> perField = new ArrayList<>();
                    boolean phrase = "phrase".equals(body.getOrDefault("type", "best_fields"));
                    for (Object name : list(body.get("fields"))) {
                        String text = (String) body.get("query");
                        Query made = phrase ? builder.createPhraseQuery((String) name, text)
                            : builder.createBooleanQuery((String) name, text, BooleanClause.Occur.SHOULD);
                        if (made != null) {
                            perField.add(made);
                        }
                    }
                    Query best = perField.isEmpty() ? new MatchNoDocsQuery() : new DisjunctionMaxQuery(perField, 0f);
                    return boosted(best, body);
                }
                case "terms": {
                    String name = null;
                    List<BytesRef> values = new ArrayList<>();
                    for (Map.Entry<String, Object> entry : body.entrySet()) {
                        if (!entry.getKey().equals("boost")) {
                            name = entry.getKey();
                            for (Object value : list(entry.getValue())) {
                                values.add(new BytesRef((String) value));
                            }
                        }
                    }
                    return boosted(new ConstantScoreQuery(new TermInSetQuery(name, values)), body);
                }
                case "term": {
                    String name = body.keySet().iterator().next();
                    Object value = body.get(name);
                    Map<String, Object> options = value instanceof Map ? map(value) : new HashMap<>();
                    String wanted = value instanceof Map ? options.get("value").toString() : value.toString();
                    return boosted(new TermQuery(new Term(name, wanted)), options);
                }
                case "prefix": {
                    String name = body.keySet().iterator().next();
                    Object value = body.get(name);
                    Map<String, Object> options = value instanceof Map ? map(value) : new HashMap<>();
                    String wanted = value instanceof Map ? options.get("value").toString() : value.toString();
                    return boosted(new ConstantScoreQuery(new PrefixQuery(new Term(name, wanted))), options);
                }
                default:
                    throw new IllegalArgumentException("query form not mapped: " + form);
            }
        }

        private Query bool(Map<String, Object> body) {
            BooleanQuery.Builder clauses = new BooleanQuery.Builder();
            String[][] kinds = {{"must", "MUST"}, {"should", "SHOULD"}, {"filter", "FILTER"},
                                {"must_not", "MUST_NOT"}};
            int required = 0;
            int should = 0;
            for (String[] kind : kinds) {
                for (Object clause : list(body.get(kind[0]))) {
                    clauses.add(query(map(clause)), BooleanClause.Occur.valueOf(kind[1]));
                    if (kind[0].equals("must") || kind[0].equals("filter")) {
                        required++;
                    } else if (kind[0].equals("should")) {
                        should++;
                    }
                }
            }
            Object minimum = body.get("minimum_should_match");
            if (minimum != null) {
                clauses.setMinimumNumberShouldMatch(Integer.parseInt(minimum.toString()));
            } else if (required == 0 && should > 0) {
                clauses.setMinimumNumberShouldMatch(1);  // a bool of should clauses only
            }
            return boosted(clauses.build(), body);
        }

        @SuppressWarnings("unchecked")
        private static Map.Entry<String, Map<String, Object>> field(Map<String, Object> body) {
            Map.Entry<String, Object> entry = body.entrySet().iterator().next();
            Map<String, Object> options;
            if (entry.getValue() instanceof Map) {
                options = (Map<String, Object>) entry.getValue();
            } else {
                options = new HashMap<>();
                options.put("query", entry.getValue());
            }
            return Map.entry(entry.getKey(), options);
        }

        private static Query orNothing(Query query) {
            return query == null ? new MatchNoDocsQuery() : query;  // every word was a stop word
        }

        private static Query boosted(Query query, Map<String, Object> options) {
            Object boost = options.get("boost");
            return boost == null ? query : new BoostQuery(query, ((Number) boost).floatValue());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value == null ? new ArrayList<>() : (List<Object>) value;
    }
}
