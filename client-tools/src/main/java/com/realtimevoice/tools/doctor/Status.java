package com.realtimevoice.tools.doctor;

/** How a check came out, with the label its checklist line starts with. */
enum Status {
    OK("[ OK ]"),
    WARN("[WARN]"),
    FAIL("[FAIL]"),
    SKIP("[SKIP]");

    final String label;

    Status(String label) {
        this.label = label;
    }
}
