package com.realtimevoice.worker.recognition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a takeover may resume recognising a session instead of at its start: right after the record at
 * {@code throughOffset}, the last one whose audio ended a final (the recognizer's decoder starts clean there), with the
 * next final numbered {@code nextIndex} and the audio's clock at {@code audioMs}. The records of the session up to that
 * offset are still read (their seqs, resumes and shifts are bookkeeping the session needs), but their finals are not
 * sent again.
 *
 * <p>A recognizer is more than its decoder: at a final, Vosk carries the audio it has not decoded yet (up to half a
 * second: the next sentence's first word) into the next utterance, and it adapts to the speaker as it goes. A fresh
 * recognizer fed only the audio after the point dropped first words ("what time is it" came out as "is it"). So the
 * new recognizer gets a lead-in: the half second of audio before the point, after {@code leadInAfter} (-1: the
 * session's start), recognised with its outputs discarded, so that it reaches the point as the old one did, at the
 * end of a sentence's trailing silence.
 *
 * <p>Carried from the worker that had the session to the one that takes it over in the metadata of the audio
 * partition's committed offset, which still points at the session's start (invariant 5): a point is only ever a
 * shortcut through audio whose outputs are on the broker. A session whose point is missing is replayed from its start,
 * as before.
 *
 * @param leadInAfter   the offset of the session's record after which the lead-in starts (-1: at the session's start)
 * @param leadInAudioMs the audio's clock there
 * @param throughOffset the partition offset of the record after whose audio the recognizer was clean
 * @param nextIndex     the index of the session's next final
 * @param audioMs       how much of the session's audio (16 kHz PCM) lay before that point, for the finals' times
 */
record ReplayPoint(long leadInAfter, long leadInAudioMs, long throughOffset, int nextIndex, long audioMs) {

    /**
     * Kafka's default {@code offset.metadata.max.bytes} is 4096 per partition; a commit over it is refused whole.
     * Left under it with room, the sessions that do not fit are replayed from their start.
     */
    static final int MAX_METADATA_BYTES = 4000;

    private static final String VERSION = "rp2";

    /**
     * The points, in the commit metadata format: {@code rp2;<session>,<lead-in after>,<its ms>,<offset>,<index>,<ms>;...}. The sessions furthest
     * into their audio come first, as they save the most replay; those that do not fit in {@code maxBytes} are left out.
     * Session ids with a separator in them (never generated: ids are UUIDs) are left out too.
     */
    static String encode(Map<String, ReplayPoint> points, int maxBytes) {
        if (points.isEmpty()) {
            return "";
        }
        List<Map.Entry<String, ReplayPoint>> entries = new ArrayList<>(points.entrySet());
        entries.sort(Comparator.comparingLong(
                        (Map.Entry<String, ReplayPoint> e) -> e.getValue().audioMs())
                .reversed());
        StringBuilder out = new StringBuilder(VERSION);
        for (Map.Entry<String, ReplayPoint> e : entries) {
            String id = e.getKey();
            if (!isAscii(id) || id.indexOf(';') >= 0 || id.indexOf(',') >= 0) {
                continue;
            }
            ReplayPoint p = e.getValue();
            String entry = ";" + id + "," + p.leadInAfter() + "," + p.leadInAudioMs() + "," + p.throughOffset() + ","
                    + p.nextIndex() + "," + p.audioMs();
            if (out.length() + entry.length() > maxBytes) {
                break; // ASCII: one byte a char
            }
            out.append(entry);
        }
        return out.length() == VERSION.length() ? "" : out.toString();
    }

    /**
     * The points in commit metadata written by {@link #encode}. Anything else (empty, another version, damaged) yields
     * none: those sessions are replayed from their start, which is always correct.
     */
    static Map<String, ReplayPoint> decode(String metadata) {
        if (metadata == null || !metadata.startsWith(VERSION + ";")) {
            return Map.of();
        }
        Map<String, ReplayPoint> points = new LinkedHashMap<>();
        for (String entry : metadata.substring(VERSION.length() + 1).split(";")) {
            String[] fields = entry.split(",");
            if (fields.length != 6 || fields[0].isEmpty()) {
                return Map.of();
            }
            try {
                ReplayPoint p = new ReplayPoint(
                        Long.parseLong(fields[1]),
                        Long.parseLong(fields[2]),
                        Long.parseLong(fields[3]),
                        Integer.parseInt(fields[4]),
                        Long.parseLong(fields[5]));
                if (p.leadInAfter() < -1
                        || p.leadInAfter() >= p.throughOffset()
                        || p.leadInAudioMs() < 0
                        || p.leadInAudioMs() > p.audioMs()
                        || p.nextIndex() < 0) {
                    return Map.of();
                }
                points.put(fields[0], p);
            } catch (NumberFormatException e) {
                return Map.of();
            }
        }
        return points;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }
}
