package com.realtimevoice.tools.doctor;

/** One line of the checklist: which check, how it came out, what was seen and how to fix it (or null). */
record Finding(String name, Status status, String detail, String fix) {}
