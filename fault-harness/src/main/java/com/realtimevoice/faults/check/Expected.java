package com.realtimevoice.faults.check;

import java.util.List;

/** What a program gives through a clean pipeline: the finals, in index order (their count is what is expected). */
public record Expected(String program, List<String> finals) {

    public int count() {
        return finals.size();
    }
}
