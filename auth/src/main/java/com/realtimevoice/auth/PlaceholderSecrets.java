package com.realtimevoice.auth;

import java.util.List;
import java.util.Locale;

/**
 * Secrets copied from an example: the shipped manifests and examples carry such values, which are public, so a
 * service started with one would accept tokens anyone can mint. Rejected whatever their length (a 43-byte
 * "change-me-..." passes the 32-byte check). The services apply this outside the 'local' profile only, whose
 * development secret is itself such a value.
 */
public final class PlaceholderSecrets {

    /** Compared with the value lower-cased and without '-', '_', ' ' and '.', so "Change_Me" and "changeme" match. */
    static final List<String> MARKERS =
            List.of("changeme", "placeholder", "replace", "example", "yoursecret", "secrethere");

    private PlaceholderSecrets() {}

    /** The marker the value contains, or null for a value that does not look like a placeholder. */
    public static String markerIn(String value) {
        if (value == null) {
            return null;
        }
        String folded = value.toLowerCase(Locale.ROOT).replaceAll("[-_ .]", "");
        return MARKERS.stream().filter(folded::contains).findFirst().orElse(null);
    }

    /** Throws, naming the variable (never the value), when the value is a known placeholder. */
    public static void reject(String variable, String value) {
        String marker = markerIn(value);
        if (marker != null) {
            throw new IllegalArgumentException(variable + " is a placeholder (it contains '" + marker
                    + "'): set it to a random value, e.g. openssl rand -base64 48");
        }
    }
}
