package com.realtimevoice.ingest.stream;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.RecognitionOptions;
import com.realtimevoice.protocol.ServerMessage;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What of a start's options will be in effect, for the {@code started} message: sent at once, before a worker has
 * the session, so it follows what each engine does (docs/engines.md) from the engine the session will get, the one
 * it names or the default (ASR_ENGINE, read here as the worker reads it). Tencent punctuates, converts numbers and
 * filters profanity itself (on by default: punctuation, digits); Vosk never punctuates and the worker converts
 * English number words and masks or removes profanity from its word list for it. Hotwords go to every engine.
 */
@Component
class EffectiveOptions {

    private final String defaultEngine;

    EffectiveOptions(@Value("${recognition.default-engine:vosk}") String defaultEngine) {
        this.defaultEngine = defaultEngine;
    }

    /** The options in effect, or null when the start asked for none (a start of an older client gets today's bytes). */
    ServerMessage.Options of(ClientMessage.Start start) {
        RecognitionOptions o = start.options();
        if (!start.wordTimestamps() && o.equals(RecognitionOptions.NONE)) {
            return null;
        }
        String engine = start.engine() == null || start.engine().isBlank()
                ? defaultEngine
                : start.engine().strip().toLowerCase(Locale.ROOT);
        boolean tencent = engine.equals("tencent");
        return new ServerMessage.Options(
                start.wordTimestamps(),
                o.hotwords(),
                tencent && !Boolean.FALSE.equals(o.punctuation()),
                o.numbers() != null ? o.numbers() : tencent ? "digits" : "words",
                o.profanity() != null ? o.profanity() : "keep");
    }
}
