package com.realtimevoice.worker.engine.vosk;

import com.realtimevoice.events.Word;
import com.realtimevoice.worker.engine.RecognitionResult.Final;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vosk.Model;
import org.vosk.Recognizer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hotwords for Vosk, which has no biasing of its own: a second, grammar-constrained pass over each final's audio.
 * The grammar is the first pass's own words plus the hotwords (and {@code [unk]}), so a hotword wins a stretch of
 * audio only where it fits the sound better than the word the first pass chose there; its hits then replace the
 * first pass's words they overlap (or are inserted where the first pass heard nothing). Measured in
 * HotwordsTest: "please call tomorrow" becomes "please call Stella tomorrow", and the fixtures stay word for word.
 * Hotwords outside the model's vocabulary cannot win (Vosk ignores them in a grammar, with a warning).
 * Not thread-safe, like the stream that owns it.
 */
final class HotwordPass {

    private static final Logger log = LoggerFactory.getLogger(HotwordPass.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A minute of audio at most is kept for the second pass; a longer final keeps the first pass's words. */
    private static final int MAX_SECONDS = 60;

    private final Model model;
    private final int sampleRate;
    /** A hotword's words in lower case (as the model spells them) -> as the client spelt them. */
    private final Map<String, String> spelling = new LinkedHashMap<>();

    private final ByteArrayOutputStream audio = new ByteArrayOutputStream();
    /** Where the kept audio starts in the stream, in ms. */
    private long audioStartMs;

    HotwordPass(Model model, int sampleRate, List<String> hotwords) {
        this.model = model;
        this.sampleRate = sampleRate;
        for (String hotword : hotwords) {
            for (String word : hotword.strip().split("\\s+")) {
                spelling.putIfAbsent(word.toLowerCase(Locale.ROOT), word);
            }
        }
    }

    void feed(byte[] pcm16le) {
        if (audio.size() + pcm16le.length <= MAX_SECONDS * sampleRate * 2) {
            audio.write(pcm16le, 0, pcm16le.length);
        } else {
            audio.reset(); // too long for the second pass: mark it so by an empty buffer with a start past the final
            audioStartMs = Long.MAX_VALUE;
        }
    }

    /** The first pass ended an utterance at {@code audioEndMs}: the next one's audio starts there. */
    void restartAt(long audioEndMs) {
        audio.reset();
        audioStartMs = audioEndMs;
    }

    /** The final with the hotwords the second pass heard in its audio. */
    Final apply(Final first) {
        if (first.words().isEmpty() || audio.size() == 0 || audioStartMs == Long.MAX_VALUE) {
            return first;
        }
        List<Word> hits = secondPass(first);
        if (hits.isEmpty()) {
            return first;
        }
        List<Word> words = new ArrayList<>(first.words());
        for (Word hit : hits) {
            splice(words, hit);
        }
        String text = String.join(" ", words.stream().map(Word::word).toList());
        return new Final(
                text,
                Math.min(first.startMs(), words.get(0).startMs()),
                Math.max(first.endMs(), words.get(words.size() - 1).endMs()),
                words);
    }

    /** The hotwords the grammar pass recognised, with their times in the stream. */
    private List<Word> secondPass(Final first) {
        Set<String> grammar = new LinkedHashSet<>();
        first.words().forEach(w -> grammar.add(w.word().toLowerCase(Locale.ROOT)));
        grammar.addAll(spelling.keySet());
        grammar.add("[unk]");
        byte[] pcm = audio.toByteArray();
        List<Word> hits = new ArrayList<>();
        try (Recognizer second = new Recognizer(model, sampleRate, JSON.writeValueAsString(grammar))) {
            second.setWords(true);
            second.acceptWaveForm(pcm, pcm.length);
            for (JsonNode w : JSON.readTree(second.getFinalResult()).path("result")) {
                String word = w.path("word").asString("");
                if (spelling.containsKey(word)) {
                    hits.add(new Word(
                            spelling.get(word),
                            audioStartMs + Math.round(w.path("start").asDouble() * 1000),
                            audioStartMs + Math.round(w.path("end").asDouble() * 1000),
                            w.path("conf").isNumber() ? w.path("conf").asDouble() : null));
                }
            }
        } catch (RuntimeException e) {
            log.warn("vosk: the hotword pass failed, the final keeps the first pass's words: {}", e.toString());
            return List.of();
        }
        return hits;
    }

    /**
     * Puts {@code hit} in place of the words it covers (more than half of a word's time), or between the words
     * around it when it covers none; nothing when the first pass already has that word there.
     */
    private static void splice(List<Word> words, Word hit) {
        int at = 0;
        while (at < words.size() && words.get(at).startMs() < hit.startMs()) {
            at++;
        }
        List<Word> covered = new ArrayList<>();
        for (Word w : words) {
            long overlap = Math.min(w.endMs(), hit.endMs()) - Math.max(w.startMs(), hit.startMs());
            if (overlap > 0 && w.word().equalsIgnoreCase(hit.word())) {
                return;
            }
            if (overlap * 2 > Math.max(1, w.endMs() - w.startMs())) {
                covered.add(w);
            }
        }
        if (!covered.isEmpty()) {
            at = words.indexOf(covered.get(0));
            words.removeAll(covered);
        }
        words.add(at, hit);
    }
}
