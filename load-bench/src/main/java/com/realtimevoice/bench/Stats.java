package com.realtimevoice.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** A thread-safe bag of millisecond samples with exact percentiles (runs are small enough to keep every sample). */
final class Stats {

    private long[] values = new long[64];
    private int size;

    synchronized void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    synchronized int count() {
        return size;
    }

    /** Nearest-rank percentile, or -1 without samples. */
    synchronized long percentile(double p) {
        if (size == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
    }

    synchronized double mean() {
        if (size == 0) {
            return -1;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return sum / size;
    }

    Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count());
        m.put("p50", percentile(50));
        m.put("p95", percentile(95));
        m.put("p99", percentile(99));
        m.put("max", percentile(100));
        return m;
    }
}
