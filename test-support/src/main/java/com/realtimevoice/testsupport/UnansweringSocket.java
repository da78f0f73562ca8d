package com.realtimevoice.testsupport;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client that reads every frame the server sends and answers none, not even a ping: what a dead or
 * half-open connection looks like from the server (INGEST_PONG_TIMEOUT). Text frames it sends are masked, as a
 * client's must be.
 */
public final class UnansweringSocket implements AutoCloseable {

    /** How the server ended the connection: its close code, the pings it sent first, and the seconds it took. */
    public record Closed(int code, int pings, double seconds) {}

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final long openedAtNanos;

    private UnansweringSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.openedAtNanos = System.nanoTime();
    }

    /** Upgrades {@code pathAndQuery} on localhost:port; fails unless the server answers 101. */
    public static UnansweringSocket open(int port, String pathAndQuery) throws IOException {
        Socket socket = new Socket("localhost", port);
        socket.setSoTimeout(10_000);
        UnansweringSocket s = new UnansweringSocket(socket);
        s.out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) s.in.readUnsignedByte());
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("no upgrade: " + head);
        }
        return s;
    }

    /** Sends a masked text frame (under 126 bytes). */
    public void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        byte[] mask = {7, 1, 3, 5};
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        out.write(frame);
        out.flush();
    }

    /** Reads frames until the server's close frame (a read waits at most 10 s). */
    public Closed awaitClose() throws IOException {
        int pings = 0;
        while (true) {
            int opcode = in.readUnsignedByte() & 0x0f;
            int length = in.readUnsignedByte() & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = (int) in.readLong();
            }
            byte[] payload = in.readNBytes(length);
            if (opcode == 0x9) {
                pings++;
            } else if (opcode == 0x8) {
                int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                return new Closed(code, pings, (System.nanoTime() - openedAtNanos) / 1e9);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
