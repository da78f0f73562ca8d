package com.realtimevoice.faults.check;

import java.util.List;

/** The scenario results as a markdown table, with each scenario's notes below it. */
public final class Report {

    private Report() {}

    public static String markdown(List<ScenarioResult> results) {
        StringBuilder out = new StringBuilder();
        out.append(
                "| scenario | fault | sessions | finals expected | lost | not in DB | not at client | DB duplicates "
                        + "| duplicated as new | reordered | re-sent (ok) | recovery (s) | goal (s) | failed sessions | result |\n");
        out.append(
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (ScenarioResult r : results) {
            out.append(String.format(
                    "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s | %d | %s |%n",
                    r.name(),
                    r.fault(),
                    r.sessions(),
                    r.expected(),
                    r.lost(),
                    r.lostNotInDb(),
                    r.lostNotAtClient(),
                    r.dbDuplicates(),
                    r.duplicatedAsNew(),
                    r.reordered(),
                    r.resent(),
                    r.recoverySeconds() == null
                            ? "n/a"
                            : String.format("%.1f", r.recoverySeconds()) + (r.fromFaultEnd() ? " after end" : ""),
                    r.recoveryGoalSeconds() == null ? "-" : String.format("%.0f", r.recoveryGoalSeconds()),
                    r.failedSessions(),
                    r.passed() ? "PASS" : "**FAIL**"));
        }
        out.append('\n');
        for (ScenarioResult r : results) {
            if (!r.notes().isEmpty()) {
                out.append("- **")
                        .append(r.name())
                        .append("** (")
                        .append(r.elapsedSeconds())
                        .append(" s): ")
                        .append(String.join("; ", r.notes()))
                        .append('\n');
            }
        }
        return out.toString();
    }

    public static String details(List<ScenarioResult> results) {
        StringBuilder out = new StringBuilder();
        for (ScenarioResult r : results) {
            out.append("## ").append(r.name()).append(" - ").append(r.fault()).append('\n');
            r.details().forEach(d -> out.append("    ").append(d).append('\n'));
            out.append('\n');
        }
        return out.toString();
    }
}
