package com.realtimevoice.bench;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.CloseCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The load generator's own WebSocket client: every virtual user of a phase on a few selector threads, each audio
 * chunk a frame masked once when the fixtures load and then written as is. java.net.http's WebSocket costs about
 * 180 us of CPU per chunk sent, which on the machine under test ate the cores the pipeline was being measured on;
 * this costs a write call. That is why it keeps its own transport instead of voice-client's; the messages are the
 * protocol module's all the same (written by {@link ProtocolCodec}, read as {@link ServerMessage}s). Same behaviour
 * and figures as {@link VirtualUser}: sessions back to back on one socket, audio paced at real time (fixed rate: a
 * late tick catches up), timings recorded in the phase ({@link SessionTimer}).
 */
final class SelectorUsers {

    private static final int CONNECTING = 0;
    private static final int UPGRADING = 1;
    private static final int STARTING = 2;
    private static final int STREAMING = 3;
    private static final int ENDING = 4;
    private static final int WAITING = 5;
    private static final int DONE = 6;
    private static final long RECONNECT_DELAY_NS = 500_000_000L;
    private static final int MAX_MESSAGE = 1 << 20;
    private static final String END = ProtocolCodec.write(new ClientMessage.End());
    /** How an ack begins, as the protocol module writes it: acks are most of what arrives, not worth a JSON parse. */
    private static final String ACK_PREFIX = ackPrefix();

    private final LoadPhase phase;
    private final List<String> tokens;
    private final Loop[] loops;
    private final URI streamUri;
    /** Each fixture's chunks as masked binary frames, built once; sent through duplicates. */
    private final Map<byte[], List<ByteBuffer>> frames = new IdentityHashMap<>();

    SelectorUsers(LoadPhase phase, List<String> tokens, int threads) throws IOException {
        this.phase = phase;
        this.tokens = tokens;
        this.streamUri = URI.create(phase.config.streamUrl(phase.target.url()));
        for (int i = 0; i < phase.config.fixtureNames.size(); i++) {
            byte[] pcm = phase.config.fixture(i);
            List<ByteBuffer> list = new ArrayList<>();
            for (byte[] chunk : phase.config.chunks(pcm)) {
                list.add(frame(0x2, chunk).asReadOnlyBuffer());
            }
            frames.put(pcm, list);
        }
        this.loops = new Loop[Math.max(1, threads)];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Loop(i);
        }
    }

    /** Starts the users, spread over the ramp-up; returns at once (the phase waits for {@code userDone}). */
    void start(long startNs) throws IOException {
        int n = phase.config.sessions;
        for (int i = 0; i < n; i++) {
            long delayNs = n <= 1 ? 0 : (long) (phase.config.rampUpSeconds * 1e9 * i / n);
            loops[i % loops.length].add(new User(i, tokens.get(i), loops[i % loops.length]), startNs + delayNs);
        }
        for (Loop loop : loops) {
            Thread t = new Thread(loop, "selector-user-" + loop.index);
            t.setDaemon(true);
            t.start();
        }
    }

    /** One selector thread and the users it drives; users are touched by their loop's thread only. */
    private final class Loop implements Runnable {

        final int index;
        final Selector selector;
        final PriorityQueue<User> timers = new PriorityQueue<>((a, b) -> Long.compare(a.dueNs, b.dueNs));
        final List<User> users = new ArrayList<>();
        int running;

        Loop(int index) throws IOException {
            this.index = index;
            this.selector = Selector.open();
        }

        void add(User user, long connectAtNs) {
            users.add(user);
            running++;
            user.state = WAITING;
            schedule(user, connectAtNs);
        }

        void schedule(User user, long atNs) {
            if (user.queued) {
                timers.remove(user); // rare: a user is rescheduled from its timer, when it is out of the queue
            }
            user.dueNs = atNs;
            user.queued = true;
            timers.add(user);
        }

        @Override
        public void run() {
            long nextSweep = System.nanoTime();
            try {
                while (running > 0) {
                    long now = System.nanoTime();
                    while (!timers.isEmpty() && timers.peek().dueNs <= now) {
                        User u = timers.poll();
                        u.queued = false;
                        u.dueNs = Long.MAX_VALUE;
                        u.onTimer(now);
                    }
                    if (now >= nextSweep) {
                        nextSweep = now + 200_000_000L;
                        for (User u : users) {
                            u.checkTimeout(now);
                        }
                    }
                    long waitNs = Math.min(nextSweep, timers.isEmpty() ? Long.MAX_VALUE : timers.peek().dueNs)
                            - System.nanoTime();
                    if (waitNs > 0) {
                        // rounded up, never a spin: a tick up to 1 ms late is caught up (fixed rate), and timed as sent
                        selector.select(Math.max(1, (waitNs + 999_999) / 1_000_000));
                    } else {
                        selector.selectNow();
                    }
                    for (SelectionKey k : selector.selectedKeys()) {
                        User u = (User) k.attachment();
                        u.onReady(k);
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | RuntimeException e) {
                phase.error("LOAD_GENERATOR_" + e.getClass().getSimpleName());
                e.printStackTrace();
                while (running-- > 0) {
                    phase.userDone();
                }
            }
        }
    }

    private final class User {

        final int id;
        final String token;
        final Loop loop;
        int state;
        long dueNs = Long.MAX_VALUE;
        boolean queued;
        SocketChannel channel;
        SelectionKey key;
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        final ByteArrayOutputStream message = new ByteArrayOutputStream();
        int messageOpcode;
        int sessions;

        // the current session
        boolean sessionOpen;
        List<ByteBuffer> chunks;
        int nextChunk;
        long periodNs;
        long firstChunkDueNs;
        long sessionDeadlineNs;
        final SessionTimer timer = new SessionTimer(phase.config.chunkMs);

        User(int id, String token, Loop loop) {
            this.id = id;
            this.token = token;
            this.loop = loop;
        }

        void onTimer(long now) {
            if (state == WAITING) {
                connect();
            } else if (state == STREAMING) {
                sendChunks(now);
            }
        }

        private void connect() {
            if (System.nanoTime() > phase.deadlineNs || phase.stopped) {
                finish();
                return;
            }
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                int port = streamUri.getPort() > 0
                        ? streamUri.getPort()
                        : ("wss".equals(streamUri.getScheme()) ? 443 : 80);
                channel.connect(new InetSocketAddress(streamUri.getHost(), port));
                key = channel.register(loop.selector, SelectionKey.OP_CONNECT, this);
                state = CONNECTING;
                in.clear();
                out.clear();
                message.reset();
            } catch (IOException e) {
                connectFailed();
            }
        }

        private void connectFailed() {
            phase.error("CONNECT_FAILED");
            phase.sessionFailed();
            closeChannel();
            reconnectLater();
        }

        void onReady(SelectionKey k) {
            try {
                if (!k.isValid()) {
                    return;
                }
                if (k.isConnectable()) {
                    if (!channel.finishConnect()) {
                        return;
                    }
                    state = UPGRADING;
                    byte[] keyBytes = new byte[16];
                    ThreadLocalRandom.current().nextBytes(keyBytes);
                    String path = streamUri.getRawPath() + (token == null ? "" : "?token=" + token);
                    String request =
                            "GET " + path + " HTTP/1.1\r\nHost: " + streamUri.getHost() + ":" + streamUri.getPort()
                                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                                    + Base64.getEncoder().encodeToString(keyBytes) + "\r\n\r\n";
                    k.interestOps(SelectionKey.OP_READ);
                    write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
                    return;
                }
                if (k.isWritable()) {
                    flush();
                }
                if (k.isReadable()) {
                    read();
                }
            } catch (IOException | RuntimeException e) {
                if (state == CONNECTING || state == UPGRADING) {
                    connectFailed();
                } else if (sessionOpen) {
                    sessionFailed("SOCKET_ERROR");
                } else {
                    closeChannel();
                    reconnectLater();
                }
            }
        }

        private void read() throws IOException {
            int n = channel.read(in);
            if (n < 0) {
                throw new IOException("closed by the server");
            }
            in.flip();
            if (state == UPGRADING) {
                String head = StandardCharsets.US_ASCII.decode(in.duplicate()).toString();
                int endOfHead = head.indexOf("\r\n\r\n");
                if (endOfHead < 0) {
                    in.compact();
                    return;
                }
                if (!head.startsWith("HTTP/1.1 101")) {
                    throw new IOException(
                            "upgrade refused: " + head.lines().findFirst().orElse(""));
                }
                in.position(endOfHead + 4);
                phase.connected();
                startSession();
            }
            while (channel != null && in.remaining() >= 2) {
                int p = in.position();
                int b0 = in.get(p) & 0xff;
                long len = in.get(p + 1) & 0x7f;
                int header = 2;
                if (len == 126) {
                    if (in.remaining() < 4) {
                        break;
                    }
                    len = in.getShort(p + 2) & 0xffff;
                    header = 4;
                } else if (len == 127) {
                    if (in.remaining() < 10) {
                        break;
                    }
                    len = in.getLong(p + 2);
                    header = 10;
                }
                if (len > MAX_MESSAGE) {
                    throw new IOException("frame of " + len + " bytes");
                }
                if (in.remaining() < header + len) {
                    if (header + len > in.capacity()) { // a frame larger than the buffer: grow it
                        ByteBuffer bigger = ByteBuffer.allocate((int) (header + len));
                        bigger.put(in);
                        in = bigger;
                        return;
                    }
                    break;
                }
                byte[] payload = new byte[(int) len];
                in.position(p + header);
                in.get(payload);
                frame(b0 & 0x80, b0 & 0x0f, payload);
            }
            if (channel != null) {
                in.compact();
            }
        }

        private void frame(int fin, int opcode, byte[] payload) throws IOException {
            switch (opcode) {
                case 0x9 -> write(SelectorUsers.frame(0xA, payload)); // ping: pong
                case 0x8 -> {
                    int code = payload.length >= 2 ? (payload[0] & 0xff) << 8 | (payload[1] & 0xff) : 1005;
                    if (sessionOpen) {
                        sessionFailed("CLOSED_" + code);
                    } else {
                        closeChannel();
                        reconnectLater();
                    }
                }
                case 0x1, 0x2, 0x0 -> {
                    if (opcode != 0) {
                        messageOpcode = opcode;
                    }
                    message.write(payload);
                    if (fin != 0) {
                        String text = message.toString(StandardCharsets.UTF_8);
                        message.reset();
                        // acks (one per session every 100 ms) are most of what arrives: not worth a JSON parse
                        if (messageOpcode == 0x1 && !text.startsWith(ACK_PREFIX)) {
                            handle(ProtocolCodec.parseServer(text), System.nanoTime());
                        }
                    }
                }
                default -> {} // pong
            }
        }

        private void startSession() {
            if (System.nanoTime() > phase.deadlineNs || phase.stopped) {
                finish();
                return;
            }
            byte[] pcm = phase.config.fixture(id + sessions);
            chunks = frames.get(pcm);
            timer.begin(chunks.size());
            nextChunk = 0;
            sessionOpen = true;
            sessions++;
            state = STARTING;
            periodNs = (long) (phase.config.chunkMs * 1_000_000L / phase.config.speed);
            sessionDeadlineNs = System.nanoTime()
                    + (phase.config.sessionTimeoutMs + (long) (phase.config.audioMs(pcm) / phase.config.speed))
                            * 1_000_000L;
            text(phase.config.startMessage());
        }

        private void handle(ServerMessage m, long now) {
            if (m instanceof ServerMessage.Started) {
                if (state == STARTING) {
                    state = STREAMING;
                    firstChunkDueNs = now;
                    loop.schedule(this, now);
                }
            } else if (m instanceof ServerMessage.Completed) {
                completed(now);
            } else if (m instanceof ServerMessage.Error e) {
                phase.error(e.code() == null ? "UNKNOWN" : e.code());
                sessionFailed(null);
            } else if (timer.result(m, now)) {
                phase.finalReceived();
            }
            // ack, pong
        }

        /** Sends every chunk that is due (fixed rate: after a stall, the missed ones go at once), then the end. */
        private void sendChunks(long now) {
            while (sessionOpen && state == STREAMING && firstChunkDueNs + nextChunk * periodNs <= now) {
                if (nextChunk == chunks.size()) {
                    timer.endSent(System.nanoTime());
                    state = ENDING;
                    text(END);
                    return;
                }
                timer.chunkSent(nextChunk, System.nanoTime());
                ByteBuffer frame = chunks.get(nextChunk++).duplicate();
                phase.audioSent(frame.remaining() - 8);
                try {
                    write(frame);
                } catch (IOException e) {
                    sessionFailed("SOCKET_ERROR");
                    return;
                }
            }
            if (sessionOpen && state == STREAMING) {
                loop.schedule(this, firstChunkDueNs + nextChunk * periodNs);
            }
        }

        private void completed(long now) {
            if (!sessionOpen) {
                return;
            }
            sessionOpen = false;
            phase.sessionDone(timer.completed(now));
            startSession();
        }

        void checkTimeout(long now) {
            if (sessionOpen && now > sessionDeadlineNs) {
                sessionFailed("TIMEOUT");
            }
        }

        private void sessionFailed(String code) {
            if (!sessionOpen) {
                return;
            }
            sessionOpen = false;
            if (code != null) {
                phase.error(code);
            }
            phase.sessionFailed();
            closeChannel(); // a clean slate: the socket may be in any state after an error
            reconnectLater();
        }

        /** A failed session leaves the socket in an unknown state: carry on over a new one, as a real client would. */
        private void reconnectLater() {
            if (System.nanoTime() > phase.deadlineNs || phase.stopped) {
                finish();
                return;
            }
            state = WAITING;
            loop.schedule(this, System.nanoTime() + RECONNECT_DELAY_NS);
        }

        private void finish() {
            if (state == DONE) {
                return;
            }
            if (channel != null && channel.isOpen()) {
                try {
                    int normal = CloseCode.NORMAL.code;
                    write(SelectorUsers.frame(0x8, new byte[] {(byte) (normal >> 8), (byte) normal}));
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            closeChannel();
            state = DONE;
            if (queued) {
                loop.timers.remove(this);
                queued = false;
            }
            loop.running--;
            phase.userDone();
        }

        private void text(String s) {
            try {
                write(SelectorUsers.frame(0x1, s.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                sessionFailed("SOCKET_ERROR");
            }
        }

        private void write(ByteBuffer b) throws IOException {
            if (channel == null) {
                return;
            }
            if (out.isEmpty()) {
                channel.write(b);
                if (!b.hasRemaining()) {
                    return;
                }
                key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            }
            out.addLast(b);
        }

        private void flush() throws IOException {
            while (!out.isEmpty()) {
                ByteBuffer b = out.peekFirst();
                channel.write(b);
                if (b.hasRemaining()) {
                    return;
                }
                out.removeFirst();
            }
            key.interestOps(SelectionKey.OP_READ);
        }

        private void closeChannel() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // gone already
                }
                channel = null;
                key = null;
            }
        }
    }

    private static String ackPrefix() {
        String ack = ProtocolCodec.write(new ServerMessage.Ack("", 0));
        return ack.substring(0, ack.indexOf(','));
    }

    /** A masked client frame (clients must mask), up to 64 KB of payload. */
    static ByteBuffer frame(int opcode, byte[] payload) {
        int len = payload.length;
        int header = len < 126 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(header + 4 + len);
        b.put((byte) (0x80 | opcode));
        if (len < 126) {
            b.put((byte) (0x80 | len));
        } else {
            b.put((byte) (0x80 | 126));
            b.putShort((short) len);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        b.put(mask);
        for (int i = 0; i < len; i++) {
            b.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return b.flip();
    }
}
