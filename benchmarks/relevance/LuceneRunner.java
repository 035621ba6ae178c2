import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.QueryBuilder;

/**
 * Lucene's FrenchAnalyzer with BM25, as Elasticsearch's "french" analyzer and a
 * "match" query (operator OR) would rank: one index in memory, then the queries.
 *
 * <p>Usage: {@code java LuceneRunner passages.jsonl queries.jsonl depth > ranked.jsonl}.
 * Passages are {@code {"id", "text"}} lines; queries {@code {"qid", "words", "phrases"}}
 * lines (the query's bare words as one string, its quoted phrases as a list). Each
 * output line is {@code {"qid", "ids": [...]}}, best first. Equal scores keep
 * Lucene's order (the passages' order in the file).
 */
public final class LuceneRunner {
    private static final String FIELD = "text";

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: LuceneRunner passages.jsonl queries.jsonl depth");
            System.exit(2);
        }
        int depth = Integer.parseInt(args[2]);
        Analyzer analyzer = new FrenchAnalyzer();
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity());
        try (IndexWriter writer = new IndexWriter(directory, config);
             BufferedReader lines = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> passage = Json.object(line);
                Document document = new Document();
                document.add(new StoredField("id", (String) passage.get("id")));
                document.add(new TextField(FIELD, (String) passage.get("text"), Field.Store.NO));
                writer.addDocument(document);
            }
        }
        IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(directory));
        searcher.setSimilarity(new BM25Similarity());
        QueryBuilder builder = new QueryBuilder(analyzer);
        try (BufferedReader lines = Files.newBufferedReader(Paths.get(args[1]), StandardCharsets.UTF_8);
             BufferedWriter out = new BufferedWriter(
                     new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> query = Json.object(line);
                List<String> ids = new ArrayList<>();
                Query compiled = compile(builder, query);
                if (compiled != null) {
                    for (ScoreDoc hit : searcher.search(compiled, depth).scoreDocs) {
                        ids.add(searcher.doc(hit.doc).get("id"));
                    }
                }
                out.write("{\"qid\": " + Json.quote((String) query.get("qid")) + ", \"ids\": [");
                for (int i = 0; i < ids.size(); i++) {
                    out.write((i > 0 ? ", " : "") + Json.quote(ids.get(i)));
                }
                out.write("]}\n");
            }
        }
    }

    /** The bare words OR-ed (each analyzed as the index was), and each phrase as a clause. */
    @SuppressWarnings("unchecked")
    private static Query compile(QueryBuilder builder, Map<String, Object> query) {
        BooleanQuery.Builder clauses = new BooleanQuery.Builder();
        int count = 0;
        Query words = builder.createBooleanQuery(FIELD, (String) query.get("words"), BooleanClause.Occur.SHOULD);
        if (words != null) {
            clauses.add(words, BooleanClause.Occur.SHOULD);
            count++;
        }
        for (String phrase : (List<String>) query.get("phrases")) {
            Query compiled = builder.createPhraseQuery(FIELD, phrase);
            if (compiled != null) {
                clauses.add(compiled, BooleanClause.Occur.SHOULD);
                count++;
            }
        }
        return count == 0 ? null : clauses.build();
    }

    /** Just enough JSON for flat objects whose values are strings or lists of strings. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        static Map<String, Object> object(String line) {
            Json json = new Json(line);
            json.expect('{');
            Map<String, Object> result = new LinkedHashMap<>();
            json.space();
            if (json.peek() == '}') {
                return result;
            }
            while (true) {
                String key = json.string();
                json.expect(':');
                json.space();
                result.put(key, json.peek() == '[' ? json.list() : json.string());
                json.space();
                if (json.peek() == '}') {
                    return result;
                }
                json.expect(',');
            }
        }

        private List<String> list() {
            expect('[');
            List<String> items = new ArrayList<>();
            space();
            if (peek() == ']') {
                at++;
                return items;
            }
            while (true) {
                items.add(string());
                space();
                char next = text.charAt(at++);
                if (next == ']') {
                    return items;
                }
                if (next != ',') {
                    throw new IllegalArgumentException("expected , or ] at " + at);
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return value.toString();
                }
                if (c != '\\') {
                    value.append(c);
                    continue;
                }
                char escaped = text.charAt(at++);
                switch (escaped) {
                    case 'n': value.append('\n'); break;
                    case 't': value.append('\t'); break;
                    case 'r': value.append('\r'); break;
                    case 'b': value.append('\b'); break;
                    case 'f': value.append('\f'); break;
                    case 'u':
                        value.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default: value.append(escaped);  // \" \\ \/
                }
            }
        }

        private char peek() {
            return text.charAt(at);
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private void expect(char wanted) {
            space();
            if (text.charAt(at) != wanted) {
                throw new IllegalArgumentException("expected " + wanted + " at " + at);
            }
            at++;
        }

        static String quote(String value) {
            StringBuilder quoted = new StringBuilder("\"");
            for (char c : value.toCharArray()) {
                if (c == '"' || c == '\\') {
                    quoted.append('\\').append(c);
                } else if (c < 0x20) {
                    quoted.append(String.format("\\u%04x", (int) c));
                } else {
                    quoted.append(c);
                }
            }
            return quoted.append('"').toString();
        }
    }
}
