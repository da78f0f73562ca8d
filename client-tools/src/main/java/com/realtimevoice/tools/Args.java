package com.realtimevoice.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small command-line parser: {@code --name value}, {@code --name=value}, boolean {@code --flag}, positionals. */
final class Args {

    final Map<String, String> options = new LinkedHashMap<>();
    final List<String> positional = new ArrayList<>();

    /** Thrown for a usage error; the message is shown to the user. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static Args parse(String[] argv, Set<String> valued, Set<String> flags) throws UsageException {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (arg.equals("-") || !arg.startsWith("-")) {
                a.positional.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                for (int j = i + 1; j < argv.length; j++) {
                    a.positional.add(argv[j]);
                }
                break;
            }
            String name = arg.replaceFirst("^--?", "");
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                a.options.put(name, value == null ? "true" : value);
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = argv[++i];
                }
                a.options.put(name, value);
            } else {
                throw new UsageException("unknown option " + arg);
            }
        }
        return a;
    }

    String get(String name, String fallback) {
        String v = options.get(name);
        return v == null ? fallback : v;
    }

    boolean flag(String name) {
        return "true".equalsIgnoreCase(options.get(name));
    }

    double number(String name, double fallback) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v;
    }
}
