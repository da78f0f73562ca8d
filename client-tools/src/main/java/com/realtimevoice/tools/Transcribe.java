package com.realtimevoice.tools;

import com.realtimevoice.client.VoiceClient;
import com.realtimevoice.client.VoiceSession;
import com.realtimevoice.client.cli.Args;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.RecognitionOptions;
import com.realtimevoice.protocol.ServerMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PushbackInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code transcribe}: streams a WAV file or stdin (raw 16 kHz 16-bit mono PCM) to the server over the WebSocket
 * contract, at real-time pace or faster, printing partials in place and finals as lines.
 *
 * <p>Longer than the ~400-line guide: one command's options, input decoding, pacing, resume on a dropped socket and
 * output modes (text, words, JSON) read best together; the transport and messages are voice-client's.
 */
final class Transcribe {

    static final int OK = 0;
    static final int USAGE = 2;
    static final int AUTH = 3;
    static final int CONNECTION = 4;
    static final int SERVER_ERROR = 5;
    static final int TIMEOUT = 6;

    static final String USAGE_TEXT = """
            usage: transcribe [options] FILE.wav | -
              Streams a WAV file (any PCM rate/channels, converted to 16 kHz mono) or stdin ('-': raw 16 kHz 16-bit
              mono PCM, or a WAV) to the server and prints what it hears: partials in place, finals as lines.
            options:
              --url URL        server base URL or stream URL (default $RV_URL or http://localhost:8080)
              --token TOKEN    JWT for the Authorization header (default $RV_TOKEN)
              --user ID        fetch a development token for ID instead (local profile only)
              --speed N        pace: 1 = real time (default), 3 = three times faster, 0 or max = unpaced
                               (servers refuse audio much faster than real time: RATE_LIMITED)
              --language L     --engine E   passed in the start message
              --timeout S      seconds to wait for the transcript after the audio ends (default 120)
              --partials       show partials in place even when stdout is not a terminal
              --words          ask for word timings: after each final, one line a word, indented:
                               "  START-END WORD CONFIDENCE" (seconds in the audio; no confidence from tencent)
            exit codes: 0 ok, 2 usage or unsupported input, 3 authentication failed, 4 connection failed or lost,
                        5 server error (error message), 6 timed out waiting for the transcript
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream stdin;
    private final boolean tty;

    private final Object printLock = new Object();
    private boolean showPartials;
    private boolean partialShown;

    Transcribe(PrintStream out, PrintStream err, InputStream stdin, boolean tty) {
        this.out = out;
        this.err = err;
        this.stdin = stdin;
        this.tty = tty;
    }

    int run(String[] argv) {
        Args args;
        Endpoints endpoints;
        double speed;
        Duration timeout;
        try {
            args = Args.parse(
                    argv,
                    Set.of("url", "token", "user", "speed", "language", "engine", "timeout"),
                    Set.of("partials", "words", "help", "h"));
            if (args.flag("help") || args.flag("h")) {
                out.print(USAGE_TEXT);
                return OK;
            }
            if (args.positional().size() != 1) {
                throw new Args.UsageException("give one input: a WAV file, or - for stdin");
            }
            endpoints = Endpoints.parse(args.get("url", orDefault(Args.env("RV_URL"), "http://localhost:8080")));
            String s = args.get("speed", "1");
            speed = s.equalsIgnoreCase("max") ? 0 : args.number("speed", 1);
            if (speed < 0) {
                throw new Args.UsageException("--speed must be 0 (max) or more");
            }
            timeout = Duration.ofMillis((long) (args.number("timeout", 120) * 1000));
            Credentials.require(args);
        } catch (Args.UsageException e) {
            err.println("transcribe: " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        }
        showPartials = tty || args.flag("partials");

        InputStream audio;
        try {
            audio = openInput(args.positional().get(0));
        } catch (Audio.UnsupportedAudioException e) {
            err.println("transcribe: " + e.getMessage());
            return USAGE;
        } catch (IOException e) {
            err.println("transcribe: cannot read " + args.positional().get(0) + ": " + e.getMessage());
            return USAGE;
        }

        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String token;
        try {
            token = Credentials.token(args, http, endpoints);
        } catch (Args.UsageException e) {
            err.println("transcribe: " + e.getMessage());
            return USAGE;
        } catch (Credentials.Failed e) {
            err.println("transcribe: " + e.getMessage());
            return e.exitCode;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CONNECTION;
        }
        try {
            return stream(http, endpoints, token, audio, speed, timeout, args);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CONNECTION;
        }
    }

    private InputStream openInput(String name) throws IOException, Audio.UnsupportedAudioException {
        if (name.equals("-")) {
            PushbackInputStream in = new PushbackInputStream(stdin, 12);
            byte[] head = in.readNBytes(12);
            in.unread(head);
            if (Audio.looksLikeMp3(null, head)) {
                throw new Audio.UnsupportedAudioException(Audio.MP3_MESSAGE);
            }
            if (Audio.looksLikeWav(head)) {
                return describeInput("stdin", Audio.fromWav(in.readAllBytes()));
            }
            return in; // raw 16 kHz 16-bit mono PCM, streamed as it arrives
        }
        Path path = Path.of(name);
        if (!Files.isRegularFile(path)) {
            throw new IOException("no such file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(12);
        }
        if (Audio.looksLikeMp3(name, head)) {
            throw new Audio.UnsupportedAudioException(Audio.MP3_MESSAGE);
        }
        if (Audio.looksLikeWav(head)) {
            return describeInput(name, Audio.fromWav(Files.readAllBytes(path)));
        }
        if (name.toLowerCase().endsWith(".wav")) {
            throw new Audio.UnsupportedAudioException(name + " has no RIFF/WAVE header");
        }
        return Files.newInputStream(path); // raw PCM, like the server's /recognize takes it
    }

    private InputStream describeInput(String name, Audio.Pcm pcm) {
        err.printf(
                "%s: %.1f s of audio%s%n",
                name, pcm.seconds(), pcm.conversion() == null ? "" : " (" + pcm.conversion() + ")");
        return new ByteArrayInputStream(pcm.data());
    }

    private int stream(
            HttpClient http,
            Endpoints endpoints,
            String token,
            InputStream audio,
            double speed,
            Duration timeout,
            Args args)
            throws InterruptedException {
        Session session = new Session();
        URI uri = endpoints.stream();
        VoiceSession ws;
        try {
            ws = new VoiceClient(http, uri, Duration.ofSeconds(10))
                    .connect(token, VoiceClient.TokenIn.HEADER, session)
                    .get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return connectFailure(endpoints, e.getCause());
        } catch (TimeoutException e) {
            err.println("transcribe: no WebSocket upgrade from " + uri + " within 20 s" + doctorHint(endpoints));
            return CONNECTION;
        }

        try {
            ws.start(new ClientMessage.Start(
                            null,
                            "pcm",
                            Audio.RATE,
                            args.get("language", null),
                            args.get("engine", null),
                            true,
                            args.flag("words"),
                            null,
                            false,
                            RecognitionOptions.NONE))
                    .get(10, TimeUnit.SECONDS);
            CompletableFuture.anyOf(session.started, session.outcome).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            if (!session.outcome.isDone()) {
                err.println("transcribe: no 'started' from the server within 20 s" + doctorHint(endpoints));
                ws.abort();
                return TIMEOUT;
            }
        }
        if (session.outcome.isDone()) {
            ws.abort();
            return session.outcome.join();
        }
        String sessionId = session.started.join().sessionId();
        err.println("session " + sessionId + " started");

        long t0 = System.nanoTime();
        long sentBytes = 0;
        try {
            byte[] carry = null;
            for (long n = 0; !session.outcome.isDone(); n++) {
                byte[] chunk = audio.readNBytes(Audio.CHUNK_BYTES);
                if (carry != null) {
                    byte[] joined = new byte[carry.length + chunk.length];
                    System.arraycopy(carry, 0, joined, 0, carry.length);
                    System.arraycopy(chunk, 0, joined, carry.length, chunk.length);
                    chunk = joined;
                    carry = null;
                }
                if (chunk.length % 2 == 1) { // 16-bit samples: keep the odd byte for the next chunk
                    carry = new byte[] {chunk[chunk.length - 1]};
                    chunk = java.util.Arrays.copyOf(chunk, chunk.length - 1);
                }
                if (chunk.length == 0) {
                    break;
                }
                ws.sendAudio(chunk).get(30, TimeUnit.SECONDS);
                sentBytes += chunk.length;
                if (speed > 0) {
                    long due = t0 + (long) (sentBytes * 1_000_000_000L / (Audio.RATE * 2.0) / speed);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            }
            if (!session.outcome.isDone()) {
                ws.end().get(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            err.println("transcribe: reading the input failed: " + e.getMessage());
            ws.abort();
            return USAGE;
        } catch (ExecutionException | TimeoutException e) {
            if (!session.outcome.isDone()) {
                err.println("transcribe: sending audio failed: "
                        + Credentials.describe(e.getCause() == null ? e : e.getCause()) + doctorHint(endpoints));
                ws.abort();
                return CONNECTION;
            }
        }
        int code;
        try {
            code = session.outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            code = CONNECTION;
        } catch (TimeoutException e) {
            clearPartial();
            err.println("transcribe: no 'completed' within " + timeout.toSeconds() + " s after the audio ended "
                    + "(is an asr-worker running? see the doctor's round trip)");
            code = TIMEOUT;
        }
        if (code == OK) {
            err.printf(
                    "completed: %d segment(s), %.1f s of audio in %.1f s, session %s%n",
                    session.completed.segments(),
                    sentBytes / 2.0 / Audio.RATE,
                    (System.nanoTime() - t0) / 1e9,
                    sessionId);
        }
        ws.close().exceptionally(e -> null);
        return code;
    }

    private int connectFailure(Endpoints endpoints, Throwable cause) {
        URI uri = endpoints.stream();
        if (cause instanceof WebSocketHandshakeException) {
            int status = ((WebSocketHandshakeException) cause).getResponse().statusCode();
            Object body = ((WebSocketHandshakeException) cause).getResponse().body();
            String detail = body == null ? "" : " " + DevTokens.abbreviate(String.valueOf(body), 300);
            if (status == 401 || status == 403) {
                err.println("transcribe: the upgrade was refused with HTTP " + status + " (authentication)" + detail);
                return AUTH;
            }
            err.println("transcribe: " + uri + " did not upgrade to WebSocket: HTTP " + status + detail
                    + (status == 404 ? " (wrong path? the stream is at " + Endpoints.STREAM_PATH + ")" : "")
                    + doctorHint(endpoints));
            return CONNECTION;
        }
        err.println(
                "transcribe: cannot connect to " + uri + ": " + Credentials.describe(cause) + doctorHint(endpoints));
        return CONNECTION;
    }

    private static String doctorHint(Endpoints endpoints) {
        return "\n  diagnose with: java -jar realtime-voice-tools.jar doctor " + endpoints.base();
    }

    private static String orDefault(String v, String fallback) {
        return v == null ? fallback : v;
    }

    private void clearPartial() {
        synchronized (printLock) {
            if (partialShown) {
                out.print("\r\033[K");
                out.flush();
                partialShown = false;
            }
        }
    }

    /** Receives the server's messages, prints results, and settles the outcome. */
    private final class Session implements VoiceSession.Listener {

        final CompletableFuture<ServerMessage.Started> started = new CompletableFuture<>();
        final CompletableFuture<Integer> outcome = new CompletableFuture<>();
        volatile ServerMessage.Completed completed;

        @Override
        public void onUnreadable(VoiceSession session, String json) {
            err.println("transcribe: unreadable message from the server: " + DevTokens.abbreviate(json, 200));
        }

        @Override
        public void onMessage(VoiceSession session, ServerMessage m) {
            if (m instanceof ServerMessage.Started s) {
                started.complete(s);
            } else if (m instanceof ServerMessage.Partial p) {
                if (showPartials) {
                    synchronized (printLock) {
                        out.print("\r\033[K" + p.text());
                        out.flush();
                        partialShown = true;
                    }
                }
            } else if (m instanceof ServerMessage.Final f) {
                synchronized (printLock) {
                    if (partialShown) {
                        out.print("\r\033[K");
                        partialShown = false;
                    }
                    out.println(f.text());
                    if (f.words() != null) {
                        for (ServerMessage.Word w : f.words()) {
                            out.printf(
                                    java.util.Locale.ROOT,
                                    "  %.2f-%.2f %s%s%n",
                                    w.startMs() / 1000.0,
                                    w.endMs() / 1000.0,
                                    w.word(),
                                    w.confidence() == null
                                            ? ""
                                            : String.format(java.util.Locale.ROOT, " %.2f", w.confidence()));
                        }
                    }
                    out.flush();
                }
            } else if (m instanceof ServerMessage.Completed c) {
                completed = c;
                clearPartial();
                outcome.complete(OK);
            } else if (m instanceof ServerMessage.Error e) {
                clearPartial();
                String code = e.code();
                String message = e.message() == null ? "" : e.message();
                if ("UNAUTHORIZED".equals(code)) {
                    err.println("transcribe: authentication failed: " + message
                            + " (a fresh token: --token, or --user ID against a local-profile server)");
                    outcome.complete(AUTH);
                } else {
                    err.println("transcribe: server error " + code + ": " + message
                            + ("RATE_LIMITED".equals(code) && message.contains("real time")
                                    ? " (use a lower --speed)"
                                    : ""));
                    outcome.complete(SERVER_ERROR);
                }
            }
            // ack, pong and future message types: nothing to show
        }

        @Override
        public void onClose(VoiceSession session, int statusCode, String reason) {
            if (!outcome.isDone()) {
                clearPartial();
                err.println("transcribe: the server closed the connection (" + statusCode
                        + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
                outcome.complete(statusCode == 1008 ? AUTH : CONNECTION);
            }
        }

        @Override
        public void onFailure(VoiceSession session, Throwable error) {
            if (!outcome.isDone()) {
                clearPartial();
                err.println("transcribe: connection lost: " + Credentials.describe(error));
                outcome.complete(CONNECTION);
            }
        }
    }
}
