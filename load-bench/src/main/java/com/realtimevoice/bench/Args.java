package com.realtimevoice.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} and {@code --name=value} options; every option takes a value (flags: {@code --x true}). */
final class Args {

    private final Map<String, String> options = new LinkedHashMap<>();

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** A tool's options, or why it stops: {@code --help} (usage on out, exit 0) or bad options (error and usage on err, 2). */
    record ForTool(Args args, int exitCode) {
    }

    static ForTool forTool(String[] argv, String usage, PrintStream out, PrintStream err) {
        try {
            Args a = parse(argv);
            if (a.has("help")) {
                out.print(usage);
                return new ForTool(null, 0);
            }
            return new ForTool(a, 0);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.print(usage);
            return new ForTool(null, 2);
        }
    }

    static Args parse(String[] argv) throws UsageException {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (name.equals("help")) {
                value = "true";
            } else {
                if (i + 1 >= argv.length) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = argv[++i];
            }
            a.options.put(name, value);
        }
        return a;
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
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

    int integer(String name, int fallback) throws UsageException {
        return (int) number(name, fallback);
    }
}
