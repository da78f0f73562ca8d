package com.realtimevoice.tools.doctor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The checklist: each finding printed the moment it is made, and kept for the summary (and for tests). */
final class Report {

    private final PrintStream out;
    private final List<Finding> findings = new ArrayList<>();

    /** Prints to {@code out}; with null, only collects (a check running beside others, replayed later). */
    Report(PrintStream out) {
        this.out = out;
    }

    void report(String name, Status status, String detail, String fix) {
        report(new Finding(name, status, detail, fix));
    }

    void report(Finding f) {
        findings.add(f);
        if (out == null) {
            return;
        }
        out.printf("%s %-21s %s%n", f.status().label, f.name(), f.detail() == null ? "" : f.detail());
        String fix = f.fix();
        Status status = f.status();
        if (fix != null
                && (status == Status.FAIL
                        || status == Status.WARN
                        || status == Status.SKIP
                        || fix.startsWith("WARNING"))) {
            out.printf("       %-21s fix: %s%n", "", fix);
        }
        out.flush();
    }

    /** Reports the findings collected here into another report, in order. */
    void replayInto(Report other) {
        findings.forEach(other::report);
    }

    /** Skips every check of {@link Doctor#ORDER} not reported yet. */
    void skipRemaining(String why) {
        List<String> done = findings.stream().map(Finding::name).toList();
        for (String name : Doctor.ORDER) {
            if (!done.contains(name)) {
                report(name, Status.SKIP, why, null);
            }
        }
    }

    List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** The first finding of that check, or null. */
    Finding result(String name) {
        return findings.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    long count(Status status) {
        return findings.stream().filter(c -> c.status() == status).count();
    }
}
