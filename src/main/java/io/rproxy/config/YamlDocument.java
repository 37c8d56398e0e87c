package io.rproxy.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * The shape nutcracker reads from its YAML file, read from SnakeYAML's event stream: one document whose root maps
 * pool names to pools, each pool a mapping of keys to a scalar or to a list of scalars ({@code servers}). What
 * nutcracker's own checks (nc_conf.c, conf_validate_*) refuse is refused here too, each with its line: a second
 * document, an explicit {@code ---}, aliases and anchors, tags, flow style ({@code [..]}, <code>{..}</code>),
 * deeper nesting and repeated keys. Values are kept as the text nutcracker sees, quoted or not (libyaml hands
 * nutcracker the scalar's text; quoting changes nothing). Used by one thread, for one load.
 */
final class YamlDocument {
    /** A value in a pool: one scalar or one list of scalars, with the line it starts on (1-based). */
    sealed interface Value permits Scalar, Items {
        int line();
    }

    /** @param plain written without quotes (then {@code true} or {@code 12} may be typed for keys nutcracker lacks) */
    record Scalar(String text, int line, boolean plain) implements Value {
    }

    record Items(List<Scalar> items, int line) implements Value {
    }

    /** One pool: its keys in file order, each with the line of the key. */
    record Pool(String name, int line, Map<String, Value> values, Map<String, Integer> keyLines) {
    }

    /** The codepoints of the largest file parsed; the loader's own size bound comes first (ConfigFile). */
    private static final int MAX_CODE_POINTS = 8 * 1024 * 1024;

    private final Problems problems;
    private Iterator<Event> events;

    private YamlDocument(Problems problems) {
        this.problems = problems;
    }

    /** The pools of {@code text}, in file order; every problem found is recorded (then the result is partial). */
    static List<Pool> read(String text, Problems problems) {
        return new YamlDocument(problems).read(text);
    }

    private List<Pool> read(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setMaxAliasesForCollections(1);
        options.setAllowDuplicateKeys(true); // reported here, with both lines, rather than by SnakeYAML
        try {
            events = new Yaml(options).parse(new StringReader(text)).iterator();
            return document();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.add(mark == null ? 0 : mark.getLine() + 1, "", "not valid YAML: " + e.getProblem()
                    + (e.getContext() == null ? "" : " (" + e.getContext() + ")"));
        } catch (YAMLException e) {
            problems.add(0, "", "not valid YAML: " + e.getMessage());
        }
        return List.of();
    }

    private List<Pool> document() {
        next(); // stream start
        Event start = next();
        if (start.is(Event.ID.StreamEnd)) {
            problems.add(0, "", "the file is empty; nutcracker needs at least one pool");
            return List.of();
        }
        if (((DocumentStartEvent) start).getExplicit()) {
            problem(start, "", "an explicit document start (---) is refused, as nutcracker refuses it");
        }
        List<Pool> pools = root(next());
        next(); // document end
        Event after = next();
        if (!after.is(Event.ID.StreamEnd)) {
            problem(after, "", "a second YAML document; nutcracker reads exactly one");
        }
        return pools;
    }

    private List<Pool> root(Event event) {
        if (!event.is(Event.ID.MappingStart)) {
            problem(event, "", "expected pools: a mapping of each pool's name to its keys");
            skip(event);
            return List.of();
        }
        checkNode(event, "");
        List<Pool> pools = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Event key = next(); !key.is(Event.ID.MappingEnd); key = next()) {
            String name = keyText(key, "");
            Event value = next();
            if (name == null) {
                skip(value);
                continue;
            }
            Integer earlier = seen.putIfAbsent(name, line(key));
            if (earlier != null) {
                problem(key, name, "a second pool named '" + name + "' (the first is on line " + earlier + ")");
            }
            if (!value.is(Event.ID.MappingStart)) {
                problem(value, name, "expected the pool's keys (listen, servers, ...) indented below its name");
                skip(value);
                continue;
            }
            checkNode(value, name);
            Pool pool = pool(name, line(key));
            if (earlier == null) {
                pools.add(pool);
            }
        }
        return pools;
    }

    private Pool pool(String name, int line) {
        Map<String, Value> values = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new LinkedHashMap<>();
        for (Event key = next(); !key.is(Event.ID.MappingEnd); key = next()) {
            String text = keyText(key, name);
            Event value = next();
            Value read = value(value, text == null ? name : name + "." + text);
            if (text == null || read == null) {
                continue;
            }
            if (values.containsKey(text)) {
                problem(key, name + "." + text, "is a duplicate (also on line " + keyLines.get(text) + ")");
                continue;
            }
            values.put(text, read);
            keyLines.put(text, line(key));
        }
        return new Pool(name, line, values, keyLines);
    }

    private Value value(Event event, String key) {
        if (event instanceof ScalarEvent scalar) {
            return checkNode(event, key) ? new Scalar(scalar.getValue(), line(event), scalar.isPlain()) : null;
        }
        if (event.is(Event.ID.SequenceStart)) {
            boolean ok = checkNode(event, key);
            List<Scalar> items = new ArrayList<>();
            for (Event item = next(); !item.is(Event.ID.SequenceEnd); item = next()) {
                if (item instanceof ScalarEvent scalar && checkNode(item, key)) {
                    items.add(new Scalar(scalar.getValue(), line(item), scalar.isPlain()));
                } else if (!(item instanceof ScalarEvent)) {
                    problem(item, key, "a list item must be one value, e.g. \"127.0.0.1:6379:1 redis1\"");
                    skip(item);
                }
            }
            return ok ? new Items(items, line(event)) : null;
        }
        problem(event, key, event.is(Event.ID.Alias) ? "aliases (*name) are refused, as nutcracker refuses them"
                : "expected a value or a list; nutcracker reads nothing nested deeper");
        skip(event);
        return null;
    }

    /** The text of a mapping key, or null (and a problem) when the key is not a plain value. */
    private String keyText(Event key, String where) {
        if (key instanceof ScalarEvent scalar && checkNode(key, where)) {
            return scalar.getValue();
        }
        if (!(key instanceof ScalarEvent)) {
            problem(key, where, "a key must be a plain name");
            skip(key);
        }
        return null;
    }

    /** Refuses what nutcracker's token check refuses on a node: anchors, tags and flow style. */
    private boolean checkNode(Event event, String key) {
        NodeEvent node = (NodeEvent) event;
        String refused = null;
        if (node.getAnchor() != null) {
            refused = "anchors (&" + node.getAnchor() + ") are refused, as nutcracker refuses them";
        } else if (event instanceof ScalarEvent scalar && scalar.getTag() != null) {
            refused = "tags (" + scalar.getTag() + ") are refused, as nutcracker refuses them";
        } else if (event instanceof CollectionStartEvent collection && collection.getTag() != null) {
            refused = "tags (" + collection.getTag() + ") are refused, as nutcracker refuses them";
        } else if (event instanceof CollectionStartEvent collection && collection.isFlow()) {
            refused = "flow style ([...] or {...}) is refused, as nutcracker refuses it; write one item per line"
                    + " as \"- item\"";
        }
        if (refused != null) {
            problem(event, key, refused);
        }
        return refused == null;
    }

    /** Skips the rest of a node whose start event was just read. */
    private void skip(Event start) {
        int depth = start.is(Event.ID.MappingStart) || start.is(Event.ID.SequenceStart) ? 1 : 0;
        while (depth > 0) {
            Event event = next();
            if (event.is(Event.ID.MappingStart) || event.is(Event.ID.SequenceStart)) {
                depth++;
            } else if (event.is(Event.ID.MappingEnd) || event.is(Event.ID.SequenceEnd)) {
                depth--;
            }
        }
    }

    private Event next() {
        return events.next();
    }

    private void problem(Event event, String key, String message) {
        problems.add(line(event), key, message);
    }

    private static int line(Event event) {
        return event.getStartMark() == null ? 0 : event.getStartMark().getLine() + 1;
    }
}
