package com.realtimevoice.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * What the deployment files and the services' own configuration say, read the way their tools read them: the
 * compose file with its variable interpolation, Kubernetes multi-document YAML, each service's
 * {@code <module>.yml} with its {@code ${ENV_VAR:default}} placeholders, PromQL in the dashboard and the alerts.
 */
final class DeploymentModel {

    /** The three runnable services; each is a Maven module and a Prometheus job of the same name. */
    static final List<String> SERVICES = List.of("ingest-service", "asr-worker", "result-service");

    /** Variables a service starts without (they have defaults) but must not run in production without. */
    static final Map<String, Set<String>> REQUIRED_IN_PRODUCTION = Map.of(
            "ingest-service", Set.of("KAFKA_BOOTSTRAP_SERVERS", "AUTH_JWT_SECRET", "RESULT_SERVICE_URL"),
            "asr-worker", Set.of("KAFKA_BOOTSTRAP_SERVERS"),
            "result-service",
                    Set.of("KAFKA_BOOTSTRAP_SERVERS", "AUTH_JWT_SECRET", "DB_HOST", "DB_USER", "DB_PASSWORD"));

    /** Read by the JVM or the image rather than by a service's yml. */
    static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:)?");
    private static final Pattern COMPOSE_VARIABLE =
            Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\\}");

    private DeploymentModel() {}

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("docker-compose.yml")) && Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("repository root (docker-compose.yml next to mvnw) not found above "
                + Path.of("").toAbsolutePath());
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false); // a duplicated key is a mistake the tools would silently accept
        return new Yaml(options);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> loadYaml(Path file) {
        return (Map<String, Object>) yaml().load(read(file));
    }

    /** Every document of a multi-document YAML file (Kubernetes manifests). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> loadAll(Path file) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : yaml().loadAll(read(file))) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }

    /** What docker-compose.yml requires a user to set (${VAR:?...}), as a user would: random values. */
    static final Map<String, String> USER_SET =
            Map.of("AUTH_JWT_SECRET", randomBase64(48), "GRAFANA_ADMIN_PASSWORD", randomBase64(18));

    private static String randomBase64(int bytes) {
        byte[] b = new byte[bytes];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.Base64.getEncoder().encodeToString(b);
    }

    /** The compose file as {@code docker compose config} sees it with only the required variables set: every default applied. */
    static Map<String, Object> compose(Path file) {
        return interpolate(loadYaml(file));
    }

    @SuppressWarnings("unchecked")
    static <T> T interpolate(T node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), interpolate(v)));
            return (T) out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(interpolate(v)));
            return (T) out;
        }
        if (node instanceof String s) {
            Matcher m = COMPOSE_VARIABLE.matcher(s);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String replacement;
                if (m.group().equals("$$")) {
                    replacement = "$";
                } else if (m.group(2) != null && m.group(2).endsWith("-")) {
                    replacement = m.group(3); // unset: the default
                } else if (m.group(2) != null && USER_SET.containsKey(m.group(1))) {
                    replacement = USER_SET.get(m.group(1)); // required: set as the compose file's header says
                } else if (m.group(2) != null) {
                    throw new IllegalStateException("compose requires " + m.group(1) + " to be set: " + s);
                } else {
                    replacement = ""; // unset, no default: compose warns and uses ""
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(sb);
            return (T) sb.toString();
        }
        return node;
    }

    /** Merges a compose override file into a base the way compose does for the keys used here (maps merge, the rest replaces). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        override.forEach((k, v) -> {
            Object b = out.get(k);
            if (b instanceof Map<?, ?> bm && v instanceof Map<?, ?> vm) {
                out.put(k, merge((Map<String, Object>) bm, (Map<String, Object>) vm));
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The module's own config file ({@code <module>/src/main/resources/<module>.yml}), as text. */
    static String serviceConfigText(String module) {
        return read(root().resolve(module).resolve("src/main/resources").resolve(module + ".yml"));
    }

    static Map<String, Object> serviceConfig(String module) {
        return yaml().load(serviceConfigText(module));
    }

    /**
     * Environment variables the service reads, by name, with whether a default follows (every
     * {@code ${NAME}} or {@code ${NAME:default}} in its yml files, profile files included).
     */
    static Map<String, Boolean> environmentVariables(String module) {
        Map<String, Boolean> hasDefault = new LinkedHashMap<>();
        Matcher base = PLACEHOLDER.matcher(serviceConfigText(module));
        while (base.find()) {
            hasDefault.merge(base.group(1), base.group(2) != null, (a, b) -> a && b);
        }
        // Profile files (<module>-local.yml, ...): what only they read is optional outside that profile.
        try (var files = Files.list(root().resolve(module).resolve("src/main/resources"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(module + "-")
                            && f.getFileName().toString().endsWith(".yml"))
                    .sorted()
                    .toList()) {
                Matcher m = PLACEHOLDER.matcher(read(file));
                while (m.find()) {
                    hasDefault.putIfAbsent(m.group(1), true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hasDefault;
    }

    /** Variables the service cannot run without in a real deployment. */
    static Set<String> requiredVariables(String module) {
        Set<String> required = new LinkedHashSet<>(REQUIRED_IN_PRODUCTION.getOrDefault(module, Set.of()));
        environmentVariables(module).forEach((name, hasDefault) -> {
            if (!hasDefault) {
                required.add(name);
            }
        });
        return required;
    }

    /** The HTTP port: the variable {@code server.port} reads and its default. */
    record Port(String variable, int defaultValue) {
        int in(Map<String, String> environment) {
            String v = environment.get(variable);
            return v == null ? defaultValue : Integer.parseInt(v.trim());
        }
    }

    static Port port(String module) {
        Object server = serviceConfig(module).get("server");
        String spec = String.valueOf(((Map<?, ?>) server).get("port"));
        Matcher m = Pattern.compile("\\$\\{([A-Z_]+):(\\d+)}").matcher(spec);
        if (!m.matches()) {
            throw new IllegalStateException(module + ": server.port is not ${VAR:default}: " + spec);
        }
        return new Port(m.group(1), Integer.parseInt(m.group(2)));
    }

    /** The management (actuator) port: the variable {@code management.server.port} reads and its default. */
    static Port managementPort(String module) {
        String spec = String.valueOf(path(serviceConfig(module), "management", "server", "port"));
        Matcher m = Pattern.compile("\\$\\{([A-Z_]+):(\\d+)}").matcher(spec);
        if (!m.matches()) {
            throw new IllegalStateException(module + ": management.server.port is not ${VAR:default}: " + spec);
        }
        return new Port(m.group(1), Integer.parseInt(m.group(2)));
    }

    /** spring.lifecycle.timeout-per-shutdown-phase in seconds (30 when absent: Spring's default). */
    static int shutdownPhaseSeconds(String module) {
        Object v = path(serviceConfig(module), "spring", "lifecycle", "timeout-per-shutdown-phase");
        if (v == null) {
            return 30;
        }
        Matcher m = Pattern.compile("(\\d+)s").matcher(String.valueOf(v));
        if (!m.matches()) {
            throw new IllegalStateException(module + ": timeout-per-shutdown-phase in seconds expected, got " + v);
        }
        return Integer.parseInt(m.group(1));
    }

    /** Follows map keys; null when any is missing. */
    static Object path(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... keys) {
        Object v = path(node, keys);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String... keys) {
        Object v = path(node, keys);
        return v == null ? List.of() : (List<Object>) v;
    }

    /** A compose service's environment as strings (list or map form). */
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object raw = service.get("environment");
        if (raw instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (raw instanceof List<?> l) {
            for (Object item : l) {
                String s = String.valueOf(item);
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return env;
    }

    /** The root pom's modules. */
    static List<String> modules() {
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(read(root().resolve("pom.xml")));
        List<String> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(m.group(1).trim());
        }
        return modules;
    }

    // ---- PromQL, as far as the dashboard and the alerts use it ----

    /** One metric selector in a query: the name and its label matchers (label -> operator and value). */
    record Selector(String metric, Map<String, String[]> matchers) {}

    private static final Set<String> PROMQL_KEYWORDS = Set.of(
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "and",
            "or",
            "unless",
            "offset",
            "inf",
            "nan");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern SELECTOR =
            Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{([^}]*)})?(\\s*\\()?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");

    static List<Selector> selectors(String promql) {
        String q = RANGE.matcher(GROUPING.matcher(promql).replaceAll(" ")).replaceAll(" ");
        List<Selector> out = new ArrayList<>();
        Matcher m = SELECTOR.matcher(q);
        while (m.find()) {
            String name = m.group(1);
            if (m.group(4) != null || PROMQL_KEYWORDS.contains(name.toLowerCase())) {
                continue; // a function or an aggregation, or a keyword
            }
            Map<String, String[]> matchers = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher lm = MATCHER.matcher(m.group(3));
                while (lm.find()) {
                    matchers.put(lm.group(1), new String[] {lm.group(2), lm.group(3)});
                }
            }
            out.add(new Selector(name, matchers));
        }
        return out;
    }

    /** Labels named in by (...) / without (...) clauses. */
    static Set<String> groupingLabels(String promql) {
        Set<String> labels = new LinkedHashSet<>();
        Matcher m = GROUPING.matcher(promql);
        while (m.find()) {
            for (String l : m.group(1).split(",")) {
                if (!l.isBlank()) {
                    labels.add(l.trim());
                }
            }
        }
        return labels;
    }

    /** Every {@code expr} of the Grafana dashboard's panels (rows' nested panels included). */
    static List<String> dashboardQueries(Map<String, Object> dashboard) {
        List<String> exprs = new ArrayList<>();
        collectExprs(dashboard.get("panels"), exprs);
        return exprs;
    }

    private static void collectExprs(Object panels, List<String> out) {
        if (!(panels instanceof List<?> list)) {
            return;
        }
        for (Object p : list) {
            Map<?, ?> panel = (Map<?, ?>) p;
            if (panel.get("targets") instanceof List<?> targets) {
                for (Object t : targets) {
                    Object expr = ((Map<?, ?>) t).get("expr");
                    if (expr != null) {
                        out.add(String.valueOf(expr));
                    }
                }
            }
            collectExprs(panel.get("panels"), out);
        }
    }

    /** Every rule {@code expr} of a Prometheus rules file. */
    static List<String> alertQueries(Map<String, Object> rules) {
        List<String> exprs = new ArrayList<>();
        for (Object g : list(rules, "groups")) {
            for (Object r : list(g, "rules")) {
                exprs.add(String.valueOf(((Map<?, ?>) r).get("expr")));
            }
        }
        return exprs;
    }
}
