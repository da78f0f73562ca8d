package com.realtimevoice.tools.doctor;

import com.realtimevoice.tools.Endpoints;

/** What the checks share: the options, the target as found so far, the report, the token and the started session. */
final class Context {

    /** An authenticated socket with a started session. */
    record Session(RawWebSocket ws, String sessionId) {}

    final Doctor.Options options;
    final Target target;
    final Report report;

    /** The token the socket checks send, where it came from, or why there is none. */
    String token;

    String tokenSource;
    String tokenProblem;

    /** The session the authentication check started, for the round trip; null if it started none. */
    Session session;

    Context(Endpoints ep, Doctor.Options options, Report report) {
        this(options, new Target(ep, options.timeout), report);
    }

    private Context(Doctor.Options options, Target target, Report report) {
        this.options = options;
        this.target = target;
        this.report = report;
    }

    Endpoints ep() {
        return target.ep;
    }

    void report(String name, Status status, String detail, String fix) {
        report.report(name, status, detail, fix);
    }

    /** The same target and token, reporting elsewhere: for a check that runs beside the others. */
    Context reportingTo(Report other) {
        Context c = new Context(options, target, other);
        c.token = token;
        c.tokenSource = tokenSource;
        c.tokenProblem = tokenProblem;
        return c;
    }
}
