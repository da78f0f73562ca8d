package com.realtimevoice.tools.doctor;

import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.CloseCode;
import com.realtimevoice.protocol.ProtocolCodec;
import com.realtimevoice.protocol.ServerMessage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client (RFC 6455) on a socket the doctor opened: it shows the handshake response as it came, answers
 * the server's pings, counts them, and tells an orderly close from a connection that was simply cut. It keeps its
 * own transport because java.net.http's WebSocket (voice-client's) hides all four; what travels in its frames is the
 * protocol module's: {@link #send(ClientMessage)} writes with {@link ProtocolCodec}, {@link Event#message()} reads.
 */
final class RawWebSocket implements Closeable {

    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the reader thread saw: a text message, a close frame from the server, or the connection ending. */
    record Event(Kind kind, String text, int closeCode, String closeReason, long atNanos) {
        enum Kind {
            TEXT,
            CLOSE,
            EOF
        }

        /** A text event's protocol message; null for a close, a cut, or text that is not a server message. */
        ServerMessage message() {
            if (kind != Kind.TEXT) {
                return null;
            }
            try {
                return ProtocolCodec.parseServer(text);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    final Socket socket;
    final RawHttp.Response handshake;
    final String expectedAccept;
    private final InputStream in;
    private final OutputStream out;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final AtomicInteger pingsReceived = new AtomicInteger();
    private volatile boolean closing;

    private RawWebSocket(Socket socket, InputStream in, RawHttp.Response handshake, String expectedAccept)
            throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.handshake = handshake;
        this.expectedAccept = expectedAccept;
    }

    /** Sends the upgrade request; the result is open only if {@link #upgraded()}; otherwise it holds the refusal. */
    static RawWebSocket handshake(
            Socket socket, String host, String path, Map<String, String> extraHeaders, boolean upgradeHeaders)
            throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        Map<String, String> headers = new LinkedHashMap<>();
        if (upgradeHeaders) {
            headers.put("Upgrade", "websocket");
            headers.put("Connection", "Upgrade");
            headers.put("Sec-WebSocket-Key", key);
            headers.put("Sec-WebSocket-Version", "13");
        } else {
            headers.put("Connection", "close");
        }
        headers.putAll(extraHeaders);
        InputStream in = new BufferedInputStream(socket.getInputStream());
        RawHttp.writeRequest(socket.getOutputStream(), "GET", path, host, headers, null);
        RawHttp.Response response = RawHttp.readResponse(in, true);
        return new RawWebSocket(socket, in, response, accept(key));
    }

    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean upgraded() {
        return handshake.status() == 101;
    }

    boolean acceptValid() {
        return expectedAccept.equals(handshake.header("sec-websocket-accept"));
    }

    /** Starts reading frames in the background; socket timeouts are then turned off (the queue has its own). */
    RawWebSocket startReading() throws IOException {
        socket.setSoTimeout(0);
        Thread t = new Thread(this::readLoop, "doctor-ws-reader");
        t.setDaemon(true);
        t.start();
        return this;
    }

    /** The next event, or null after the timeout. */
    Event next(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    /** The next event, or null once {@code deadlineNanos} (of System.nanoTime) has passed. */
    Event nextBefore(long deadlineNanos) throws InterruptedException {
        return next(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void readLoop() {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int messageOpcode = 0;
        try {
            while (true) {
                int b0 = in.read();
                int b1 = in.read();
                if (b0 < 0 || b1 < 0) {
                    throw new EOFException();
                }
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0f;
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = (readByte() << 8) | readByte();
                } else if (len == 127) {
                    len = 0;
                    for (int i = 0; i < 8; i++) {
                        len = (len << 8) | readByte();
                    }
                }
                byte[] mask = null;
                if ((b1 & 0x80) != 0) {
                    mask = in.readNBytes(4);
                }
                if (len > 16 * 1024 * 1024) {
                    throw new IOException("frame of " + len + " bytes");
                }
                byte[] payload = in.readNBytes((int) len);
                if (payload.length < len) {
                    throw new EOFException();
                }
                if (mask != null) {
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                }
                switch (opcode) {
                    case 0x9 -> { // ping: answer at once, as any client must
                        pingsReceived.incrementAndGet();
                        send(0xA, payload);
                    }
                    case 0xA -> {}
                    case 0x8 -> {
                        int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                        String reason = payload.length > 2
                                ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
                                : "";
                        events.add(new Event(Event.Kind.CLOSE, null, code, reason, System.nanoTime()));
                        closeQuietly();
                        return;
                    }
                    default -> {
                        if (opcode != 0) {
                            messageOpcode = opcode;
                            message.reset();
                        }
                        message.write(payload);
                        if (fin) {
                            if (messageOpcode == 0x1) {
                                events.add(new Event(
                                        Event.Kind.TEXT,
                                        message.toString(StandardCharsets.UTF_8),
                                        0,
                                        null,
                                        System.nanoTime()));
                            }
                            message.reset();
                        }
                    }
                }
            }
        } catch (IOException e) {
            events.add(new Event(
                    Event.Kind.EOF,
                    closing ? "closed by us" : String.valueOf(e.getMessage()),
                    1006,
                    null,
                    System.nanoTime()));
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    /** Sends a protocol message as the protocol module writes it. */
    void send(ClientMessage message) throws IOException {
        sendText(ProtocolCodec.write(message));
    }

    void sendText(String text) throws IOException {
        send(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    void sendBinary(byte[] data) throws IOException {
        send(0x2, data);
    }

    private void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) (((long) payload.length >>> (8 * i)) & 0xff));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        synchronized (out) {
            out.write(frame.toByteArray());
            out.flush();
        }
    }

    @Override
    public void close() {
        if (!socket.isClosed() && upgraded()) {
            try {
                closing = true;
                int normal = CloseCode.NORMAL.code;
                send(0x8, new byte[] {(byte) (normal >> 8), (byte) normal});
            } catch (IOException e) {
                // already gone
            }
        }
        closeQuietly();
    }

    private void closeQuietly() {
        closing = true;
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
