import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.MappingCharFilterFactory;
import org.apache.lucene.analysis.core.LowerCaseFilterFactory;
import org.apache.lucene.analysis.core.StopFilterFactory;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilterFactory;
import org.apache.lucene.analysis.miscellaneous.LengthFilterFactory;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilterFactory;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilterFactory;
import org.apache.lucene.analysis.pattern.PatternReplaceFilterFactory;
import org.apache.lucene.analysis.pattern.PatternTokenizerFactory;
import org.apache.lucene.analysis.snowball.SnowballPorterFilterFactory;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionLengthAttribute;
import org.apache.lucene.analysis.util.CharFilterFactory;
import org.apache.lucene.analysis.util.ClasspathResourceLoader;
import org.apache.lucene.analysis.util.ResourceLoader;
import org.apache.lucene.analysis.util.ResourceLoaderAware;
import org.apache.lucene.analysis.util.TokenFilterFactory;
import org.apache.lucene.analysis.util.TokenizerFactory;

/**
 * An analyzer of an exported index definition (frsearch's {@code index.json}), built
 * from Lucene's own analysis factories the way OpenSearch and Elasticsearch build it,
 * and the tokens it gives.
 *
 * <p>Usage: {@code java AnalyzeWithSettings index.json ANALYZER < passages.jsonl > tokens.jsonl}.
 * Each input line is {@code {"id", "text"}}; each output line {@code {"id", "tokens":
 * [[term, position, start, end, positionLength], ...]}}, offsets in code points of the
 * text as given. Each type of the definition maps to one Lucene factory (see {@link
 * #filter}); a type it does not know stops the run, so nothing is left out silently.
 * {@code synonym_graph} is built as the engines build it: its rules are parsed with the
 * char filters, tokenizer and filters before it in the chain.
 */
public final class AnalyzeWithSettings {

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: AnalyzeWithSettings index.json ANALYZER < passages.jsonl");
            System.exit(2);
        }
        Map<String, Object> definition = Json.object(
            new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8));
        Map<String, Object> analysis = map(map(definition.get("settings")).get("analysis"));
        Analyzer analyzer = build(analysis, args[1]);
        BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> passage = Json.object(line);
            String text = (String) passage.get("text");
            StringBuilder record = new StringBuilder("{\"id\":");
            Json.write(record, (String) passage.get("id"));
            record.append(",\"tokens\":[");
            try (TokenStream stream = analyzer.tokenStream("text", text)) {
                CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
                PositionIncrementAttribute increment = stream.addAttribute(PositionIncrementAttribute.class);
                PositionLengthAttribute length = stream.addAttribute(PositionLengthAttribute.class);
                OffsetAttribute offset = stream.addAttribute(OffsetAttribute.class);
                stream.reset();
                int position = -1;
                boolean first = true;
                while (stream.incrementToken()) {
                    position += increment.getPositionIncrement();
                    record.append(first ? "[" : ",[");
                    first = false;
                    Json.write(record, term.toString());
                    record.append(',').append(position)
                        .append(',').append(text.codePointCount(0, offset.startOffset()))
                        .append(',').append(text.codePointCount(0, offset.endOffset()))
                        .append(',').append(length.getPositionLength()).append(']');
                }
                stream.end();
            }
            record.append("]}\n");
            out.write(record.toString());
        }
        out.flush();
    }

    /** The analyzer {@code name} of the settings' analysis section. */
    static Analyzer build(Map<String, Object> analysis, String name) throws IOException {
        Map<String, Object> spec = map(map(analysis.get("analyzer")).get(name));
        if (spec == null || !"custom".equals(spec.get("type"))) {
            throw new IllegalArgumentException("no custom analyzer named " + name);
        }
        Chain chain = new Chain();
        for (Object charFilter : list(spec.get("char_filter"))) {
            chain.charFilters.add(charFilter(map(map(analysis.get("char_filter")).get(charFilter))));
        }
        chain.tokenizer = tokenizer(map(map(analysis.get("tokenizer")).get(spec.get("tokenizer"))));
        Map<String, Object> custom = map(analysis.get("filter"));
        for (Object filterName : list(spec.get("filter"))) {
            Map<String, Object> filterSpec = custom == null ? null : map(custom.get(filterName));
            if (filterSpec == null) {  // a built-in filter named by its type
                filterSpec = new HashMap<>();
                filterSpec.put("type", filterName);
            }
            chain.filters.add(filter(filterSpec, chain));
        }
        return chain;
    }

    /** Char filters, a tokenizer and filters applied in order, as a custom analyzer is. */
    static final class Chain extends Analyzer {
        final List<CharFilterFactory> charFilters = new ArrayList<>();
        TokenizerFactory tokenizer;
        final List<UnaryOperator<TokenStream>> filters = new ArrayList<>();

        /** This chain as it stands: what a filter added now sees before it. */
        Chain prefix() {
            Chain copy = new Chain();
            copy.charFilters.addAll(charFilters);
            copy.tokenizer = tokenizer;
            copy.filters.addAll(filters);
            return copy;
        }

        @Override
        protected Reader initReader(String field, Reader reader) {
            for (CharFilterFactory factory : charFilters) {
                reader = factory.create(reader);
            }
            return reader;
        }

        @Override
        protected TokenStreamComponents createComponents(String field) {
            Tokenizer source = tokenizer.create();
            TokenStream stream = source;
            for (UnaryOperator<TokenStream> filter : filters) {
                stream = filter.apply(stream);
            }
            return new TokenStreamComponents(source, stream);
        }
    }

    static CharFilterFactory charFilter(Map<String, Object> spec) throws IOException {
        Map<String, String> params = new HashMap<>();
        switch ((String) spec.get("type")) {
            case "mapping": {
                StringBuilder rules = new StringBuilder();
                for (Object rule : list(spec.get("mappings"))) {
                    String[] sides = ((String) rule).split("=>", 2);
                    rules.append(quoted(sides[0].trim())).append(" => ")
                        .append(quoted(sides[1].trim())).append('\n');
                }
                params.put("mapping", Loader.add(rules.toString()));
                return informed(new MappingCharFilterFactory(params));
            }
            case "pattern_replace":
                params.put("pattern", (String) spec.get("pattern"));
                params.put("replacement", (String) spec.getOrDefault("replacement", ""));
                return new PatternReplaceCharFilterFactory(params);
            default:
                throw new IllegalArgumentException("char filter type not mapped: " + spec.get("type"));
        }
    }

    static TokenizerFactory tokenizer(Map<String, Object> spec) {
        if (!"pattern".equals(spec.get("type"))) {
            throw new IllegalArgumentException("tokenizer type not mapped: " + spec.get("type"));
        }
        Map<String, String> params = new HashMap<>();
        params.put("pattern", (String) spec.get("pattern"));
        params.put("group", String.valueOf(spec.getOrDefault("group", -1L)));
        return new PatternTokenizerFactory(params);
    }

    /** The Lucene factory an engine uses for each filter type, with its parameters. */
    static UnaryOperator<TokenStream> filter(Map<String, Object> spec, Chain before) throws IOException {
        Map<String, String> params = new HashMap<>();
        String type = (String) spec.get("type");
        TokenFilterFactory factory;
        switch (type) {
            case "lowercase":
                factory = new LowerCaseFilterFactory(params);
                break;
            case "asciifolding":
                params.put("preserveOriginal", String.valueOf(spec.getOrDefault("preserve_original", false)));
                factory = new ASCIIFoldingFilterFactory(params);
                break;
            case "elision":
                params.put("articles", Loader.add(String.join("\n", strings(spec.get("articles")))));
                params.put("ignoreCase", String.valueOf(spec.getOrDefault("articles_case", false)));
                factory = informed(new org.apache.lucene.analysis.util.ElisionFilterFactory(params));
                break;
            case "stop":
                params.put("words", Loader.add(String.join("\n", strings(spec.get("stopwords")))));
                params.put("ignoreCase", String.valueOf(spec.getOrDefault("ignore_case", false)));
                factory = informed(new StopFilterFactory(params));
                break;
            case "stemmer_override": {
                StringBuilder lines = new StringBuilder();
                for (String rule : strings(spec.get("rules"))) {
                    String[] sides = rule.split("=>", 2);
                    for (String word : sides[0].split(",")) {
                        lines.append(word.trim()).append('\t').append(sides[1].trim()).append('\n');
                    }
                }
                params.put("dictionary", Loader.add(lines.toString()));
                factory = informed(new StemmerOverrideFilterFactory(params));
                break;
            }
            case "snowball":
                params.put("language", (String) spec.get("language"));
                factory = informed(new SnowballPorterFilterFactory(params));
                break;
            case "pattern_replace":
                params.put("pattern", (String) spec.get("pattern"));
                params.put("replacement", (String) spec.getOrDefault("replacement", ""));
                params.put("replace", Boolean.TRUE.equals(spec.getOrDefault("all", true)) ? "all" : "first");
                factory = new PatternReplaceFilterFactory(params);
                break;
            case "length":
                params.put("min", String.valueOf(spec.getOrDefault("min", 0L)));
                params.put("max", String.valueOf(spec.getOrDefault("max", (long) Integer.MAX_VALUE)));
                factory = new LengthFilterFactory(params);
                break;
            case "synonym_graph": {
                // the engines parse the rules with the chain before the filter
                SolrSynonymParser parser = new SolrSynonymParser(true,
                    Boolean.TRUE.equals(spec.getOrDefault("expand", true)), before.prefix());
                try {
                    parser.parse(new StringReader(String.join("\n", strings(spec.get("synonyms")))));
                } catch (java.text.ParseException error) {
                    throw new IllegalArgumentException("synonym rules: " + error.getMessage(), error);
                }
                SynonymMap synonyms = parser.build();
                return stream -> new SynonymGraphFilter(stream, synonyms, false);
            }
            default:
                throw new IllegalArgumentException("filter type not mapped: " + type);
        }
        TokenFilterFactory made = factory;
        return made::create;
    }

    private static <T> T informed(T factory) throws IOException {
        if (factory instanceof ResourceLoaderAware) {
            ((ResourceLoaderAware) factory).inform(new Loader());
        }
        return factory;
    }

    /** Word lists held in memory, served to the factories as if they were files. */
    static final class Loader implements ResourceLoader {
        private static final Map<String, String> FILES = new HashMap<>();
        private final ResourceLoader classes = new ClasspathResourceLoader(AnalyzeWithSettings.class);

        static String add(String content) {
            String name = "list-" + FILES.size() + ".txt";
            FILES.put(name, content);
            return name;
        }

        @Override
        public InputStream openResource(String resource) throws IOException {
            String content = FILES.get(resource);
            if (content == null) {
                throw new IOException("no list named " + resource);
            }
            return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public <T> Class<? extends T> findClass(String name, Class<T> expected) {
            return classes.findClass(name, expected);
        }

        @Override
        public <T> T newInstance(String name, Class<T> expected) {
            return classes.newInstance(name, expected);
        }
    }

    /** A mapping rule's side in Lucene's file syntax: quoted, every character escaped. */
    private static String quoted(String side) {
        StringBuilder result = new StringBuilder("\"");
        for (char c : side.toCharArray()) {
            result.append(String.format("\\u%04x", (int) c));
        }
        return result.append('"').toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value == null ? new ArrayList<>() : (List<Object>) value;
    }

    private static List<String> strings(Object value) {
        List<String> result = new ArrayList<>();
        for (Object item : list(value)) {
            result.add((String) item);
        }
        return result;
    }

    /** Just enough JSON: objects, arrays, strings, numbers, true, false, null. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(String text) {
            return (Map<String, Object>) new Json(text).value();
        }

        private Object value() {
            skipSpace();
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> result = new LinkedHashMap<>();
                at++;
                skipSpace();
                if (text.charAt(at) == '}') {
                    at++;
                    return result;
                }
                while (true) {
                    skipSpace();
                    String key = string();
                    skipSpace();
                    expect(':');
                    result.put(key, value());
                    skipSpace();
                    if (text.charAt(at++) == '}') {
                        return result;
                    }
                }
            }
            if (c == '[') {
                List<Object> result = new ArrayList<>();
                at++;
                skipSpace();
                if (text.charAt(at) == ']') {
                    at++;
                    return result;
                }
                while (true) {
                    result.add(value());
                    skipSpace();
                    if (text.charAt(at++) == ']') {
                        return result;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return null;
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            if (number.contains(".") || number.contains("e") || number.contains("E")) {
                return Double.valueOf(number);
            }
            return Long.valueOf(number);
        }

        private String string() {
            expect('"');
            StringBuilder result = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return result.toString();
                }
                if (c != '\\') {
                    result.append(c);
                    continue;
                }
                char escaped = text.charAt(at++);
                switch (escaped) {
                    case 'n': result.append('\n'); break;
                    case 't': result.append('\t'); break;
                    case 'r': result.append('\r'); break;
                    case 'b': result.append('\b'); break;
                    case 'f': result.append('\f'); break;
                    case 'u':
                        result.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                        break;
                    default: result.append(escaped);
                }
            }
        }

        private void expect(char c) {
            if (text.charAt(at++) != c) {
                throw new IllegalArgumentException("JSON: expected " + c + " at " + (at - 1));
            }
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        static void write(StringBuilder out, String value) {
            out.append('"');
            for (char c : value.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        }
    }
}
