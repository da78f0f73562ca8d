package com.realtimevoice.client.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command-line parser of the CLI (client-tools) and the load bench: {@code --name value}, {@code --name=value},
 * boolean flags. Two shapes: {@link #parse(String[], Set, Set)} knows its options (unknown ones are errors, other words
 * are positionals, {@code -x} and {@code --} work); {@link #parse(String[])} takes any {@code --name value} and no
 * positionals (the bench tools, whose options each take a value: {@code --x true}). It lives here, in the client
 * library both already use, so that neither tool module depends on the other.
 */
public final class Args {

    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    /** Thrown for a usage error; the message is shown to the user. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    private Args() {}

    /** Declared options: {@code valued} take a value, {@code flags} may take one ({@code --x=false}); anything else fails. */
    public static Args parse(String[] argv, Set<String> valued, Set<String> flags) throws UsageException {
        return parse(argv, valued, flags, false);
    }

    /** Any {@code --name} takes a value, except the flag {@code --help}; a word that is not an option fails. */
    public static Args parse(String[] argv) throws UsageException {
        return parse(argv, Set.of(), Set.of("help"), true);
    }

    private static Args parse(String[] argv, Set<String> valued, Set<String> flags, boolean open)
            throws UsageException {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (open && !arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            if (!open && (arg.equals("-") || !arg.startsWith("-"))) {
                a.positional.add(arg);
                continue;
            }
            if (!open && arg.equals("--")) {
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
            } else if (open || valued.contains(name)) {
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

    /** A tool's options, or why it stops: {@code --help} (usage on out, exit 0) or bad options (error and usage on err, 2). */
    public record ForTool(Args args, int exitCode) {}

    /** {@link #parse(String[])} for a bench tool, with its {@code --help} and usage errors handled. */
    public static ForTool forTool(String[] argv, String usage, PrintStream out, PrintStream err) {
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

    public boolean has(String name) {
        return options.containsKey(name);
    }

    public String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    public boolean flag(String name) {
        return "true".equalsIgnoreCase(options.get(name));
    }

    /** The words that are not options, in order. */
    public List<String> positional() {
        return List.copyOf(positional);
    }

    public double number(String name, double fallback) throws UsageException {
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

    public int integer(String name, int fallback) throws UsageException {
        return (int) number(name, fallback);
    }

    /** An environment variable, or null when it is unset or blank. */
    public static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v;
    }
}
