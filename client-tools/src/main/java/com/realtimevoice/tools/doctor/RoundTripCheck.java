package com.realtimevoice.tools.doctor;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ServerMessage;
import com.realtimevoice.tools.Audio;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A clip streamed at twice real time on the session the authentication check started, ended, and recognised:
 * {@code completed} arrives, with the words the clip says.
 */
final class RoundTripCheck extends Check {

    static final String NAME = "Round trip";

    RoundTripCheck() {
        super(NAME);
    }

    /** Runs on {@link Context#session} (and closes it); without one the authentication check has reported this one. */
    @Override
    boolean run(Context ctx) throws InterruptedException {
        if (ctx.session == null) {
            return true;
        }
        try (RawWebSocket ws = ctx.session.ws()) {
            roundTrip(ctx, ws, ctx.session.sessionId());
        }
        return true;
    }

    private static void roundTrip(Context ctx, RawWebSocket ws, String sessionId) throws InterruptedException {
        Audio.Pcm clip;
        String expected;
        try {
            if (ctx.options.clip != null) {
                clip = Audio.fromWav(Files.readAllBytes(ctx.options.clip));
                expected = null;
            } else {
                try (InputStream in = Doctor.class.getResourceAsStream("/doctor-clip.wav")) {
                    clip = Audio.fromWav(in.readAllBytes());
                }
                expected = "what time is it";
            }
        } catch (IOException | Audio.UnsupportedAudioException e) {
            ctx.report(NAME, Status.SKIP, "cannot read the clip: " + e.getMessage(), null);
            return;
        }
        long t0 = System.nanoTime();
        long firstResult = -1;
        try {
            byte[] pcm = clip.data();
            for (int off = 0, n = 0; off < pcm.length; off += Audio.CHUNK_BYTES, n++) {
                ws.sendBinary(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + Audio.CHUNK_BYTES)));
                long due =
                        t0 + (n + 1) * 50_000_000L; // twice real time (servers refuse audio much faster than real time)
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            ws.send(new ClientMessage.End());
        } catch (IOException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "the connection broke while sending audio: " + e.getMessage(),
                    "a proxy limits the request body or frame size: allow WebSocket frames of 64 KB");
            return;
        }
        long endSent = System.nanoTime();
        List<String> finals = new ArrayList<>();
        Duration wait = ctx.options.timeout.multipliedBy(3);
        long deadline = endSent + wait.toNanos();
        for (RawWebSocket.Event e = ws.nextBefore(deadline); ; e = ws.nextBefore(deadline)) {
            if (e == null) {
                ctx.report(
                        NAME,
                        Status.FAIL,
                        "session " + sessionId + " started but no 'completed' within " + wait.toSeconds()
                                + " s of the end (" + finals.size() + " final(s) so far)",
                        "no asr-worker processes the audio, or no result-service delivers: check that both run and reach Kafka "
                                + "(asr.worker.* and result.* metrics, their logs)");
                return;
            }
            if (e.kind() != RawWebSocket.Event.Kind.TEXT) {
                ctx.report(
                        NAME,
                        Status.FAIL,
                        "the socket closed mid-session (" + Texts.closeText(e) + ")",
                        "see the ingest-service log; a proxy may limit frame sizes or session length");
                return;
            }
            ServerMessage m = e.message();
            if ((m instanceof ServerMessage.Partial || m instanceof ServerMessage.Final) && firstResult < 0) {
                firstResult = System.nanoTime();
            }
            if (m instanceof ServerMessage.Final f) {
                finals.add(Objects.toString(f.text(), ""));
            } else if (m instanceof ServerMessage.Error error) {
                String code = Objects.toString(error.code(), "");
                ctx.report(
                        NAME, Status.FAIL, code + ": " + Objects.toString(error.message(), ""), Texts.errorFix(code));
                return;
            } else if (m instanceof ServerMessage.Completed completed) {
                String text = Objects.toString(completed.text(), "");
                String detail = String.format(
                        Locale.ROOT,
                        "\"%s\" (%d final(s); %.1f s of audio; first result %s after the first audio; "
                                + "completed %d ms after the end)",
                        text,
                        finals.size(),
                        clip.seconds(),
                        firstResult < 0 ? "never" : (firstResult - t0) / 1_000_000 + " ms",
                        (System.nanoTime() - endSent) / 1_000_000);
                if (text.isBlank()) {
                    ctx.report(
                            NAME,
                            Status.WARN,
                            detail + "; nothing was recognised",
                            "the worker's model may not match the language (ASR_VOSK_MODEL_PATH), or the audio does not reach it intact");
                } else if (expected != null && !shareWords(expected, text)) {
                    ctx.report(
                            NAME,
                            Status.WARN,
                            detail + "; expected \"" + expected + "\"",
                            "the worker's model may not match the clip's language (English)");
                } else {
                    ctx.report(NAME, Status.OK, detail, null);
                }
                return;
            }
        }
    }

    private static boolean shareWords(String expected, String got) {
        Set<String> words = Set.of(got.toLowerCase(Locale.ROOT).split("\\s+"));
        for (String w : expected.split(" ")) {
            if (words.contains(w)) {
                return true;
            }
        }
        return false;
    }
}
