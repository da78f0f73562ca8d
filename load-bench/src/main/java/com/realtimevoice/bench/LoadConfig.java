package com.realtimevoice.bench;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.testsupport.SpeechFixtures;
import java.util.List;

/** What a load run does, the same for every target so their figures compare. */
final class LoadConfig {

    final int sessions;
    final double speed;
    final double rampUpSeconds;
    final double durationSeconds;
    final String engine;
    final int chunkMs;
    final long sessionTimeoutMs;
    final List<String> fixtureNames;
    private final List<byte[]> fixtures;
    final String streamPath;
    /** Threads of the selector client ({@link SelectorUsers}); 0: java.net.http's WebSocket ({@link VirtualUser}). */
    final int clientThreads;

    LoadConfig(
            int sessions,
            double speed,
            double rampUpSeconds,
            double durationSeconds,
            String engine,
            int chunkMs,
            long sessionTimeoutMs,
            List<String> fixtureNames,
            String streamPath,
            int clientThreads) {
        this.clientThreads = clientThreads;
        this.sessions = sessions;
        this.speed = speed;
        this.rampUpSeconds = rampUpSeconds;
        this.durationSeconds = durationSeconds;
        this.engine = engine == null || engine.isBlank() ? null : engine;
        this.chunkMs = chunkMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.fixtureNames = List.copyOf(fixtureNames);
        this.fixtures = fixtureNames.stream().map(SpeechFixtures::pcm).toList();
        this.streamPath = streamPath;
    }

    /** The fixture a session streams: round robin, so concurrent sessions do not all speak at once. */
    byte[] fixture(int n) {
        return fixtures.get(Math.floorMod(n, fixtures.size()));
    }

    List<byte[]> chunks(byte[] pcm) {
        return SpeechFixtures.chunks(pcm, SpeechFixtures.SAMPLE_RATE * 2 * chunkMs / 1000);
    }

    long audioMs(byte[] pcm) {
        return pcm.length * 1000L / (SpeechFixtures.SAMPLE_RATE * 2);
    }

    /** The {@code start} message every session sends. */
    ClientMessage.Start start() {
        return new ClientMessage.Start(null, "pcm", 16000, null, engine, true);
    }

    String startMessage() {
        return ProtocolCodec.write(start());
    }

    String streamUrl(String base) {
        String ws = base.replaceFirst("^http", "ws");
        return ws.endsWith(streamPath) ? ws : ws.replaceAll("/+$", "") + streamPath;
    }

    String httpUrl(String base, String path) {
        return base.replaceFirst("^ws", "http")
                        .replaceAll("/api/realtime-voice/stream$", "")
                        .replaceAll("/+$", "")
                + path;
    }
}
