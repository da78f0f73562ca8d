package com.realtimevoice.tools.doctor;

/**
 * One check of the doctor's checklist. It reports its finding (and, where one observation settles a later check
 * too, that one's) to the context's report, and says whether the checks after it can still run.
 */
abstract class Check {

    private final String name;

    Check(String name) {
        this.name = name;
    }

    /** The checklist name it reports under, one of {@link Doctor#ORDER}. */
    final String name() {
        return name;
    }

    /** Runs the check against the context's target; false when the checks after it cannot run. */
    abstract boolean run(Context ctx) throws InterruptedException;
}
