package com.realtimevoice.ingest.stream;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * Joins the parts the container hands over when a message is larger than its per-socket buffers. Those buffers
 * are kept small (docs/performance.md, idle sockets) because Tomcat allocates them for every open socket; a
 * message that fits arrives whole and passes through untouched, so the usual 100 ms audio chunk costs no copy.
 * Only a message in progress holds memory here, and never more than the limit: past it the rest is dropped and
 * the caller answers TOO_LARGE.
 *
 * <p>One socket's frames arrive one at a time, so no locking.
 */
final class MessageAssembler {

    /** A message whose parts add up to more than its limit: its size so far and whether it was text. */
    record Oversized(boolean text, int bytesSoFar) {}

    private byte[] binary;
    private StringBuilder text;
    private int bytes;
    private boolean discarding;

    /**
     * Returns the whole message once its last part is in, an {@link Oversized} the first time a message passes its
     * limit, or null while parts are still coming (or being discarded).
     */
    Object add(WebSocketMessage<?> part, int maxBinaryBytes, int maxTextBytes) {
        boolean last = part.isLast();
        if (part instanceof BinaryMessage b) {
            if (binary == null && last && !discarding) {
                return part; // the common case: the whole message in one part
            }
            return addBinary(b.getPayload(), last, maxBinaryBytes);
        }
        if (part instanceof TextMessage t) {
            if (text == null && last && !discarding) {
                return part;
            }
            return addText(t, last, maxTextBytes);
        }
        return part; // ping, pong: never split
    }

    private Object addBinary(ByteBuffer payload, boolean last, int max) {
        int length = payload.remaining();
        if (discarding) {
            return finishDiscarding(last);
        }
        if (bytes + length > max) {
            return oversized(false, bytes + length, last);
        }
        if (binary == null) {
            binary = new byte[Math.max(length * 2, 4096)];
        } else if (bytes + length > binary.length) {
            binary = Arrays.copyOf(binary, Math.min(max, Math.max(binary.length * 2, bytes + length)));
        }
        payload.get(binary, bytes, length);
        bytes += length;
        if (!last) {
            return null;
        }
        BinaryMessage whole = new BinaryMessage(ByteBuffer.wrap(binary, 0, bytes), true);
        reset();
        return whole;
    }

    private Object addText(TextMessage part, boolean last, int max) {
        if (discarding) {
            return finishDiscarding(last);
        }
        int length = part.getPayloadLength(); // UTF-8 bytes, what the limit counts
        if (bytes + length > max) {
            return oversized(true, bytes + length, last);
        }
        if (text == null) {
            text = new StringBuilder(part.getPayload().length() * 2);
        }
        text.append(part.getPayload());
        bytes += length;
        if (!last) {
            return null;
        }
        TextMessage whole = new TextMessage(text.toString());
        reset();
        return whole;
    }

    private Oversized oversized(boolean isText, int size, boolean last) {
        reset();
        discarding = !last;
        return new Oversized(isText, size);
    }

    private Object finishDiscarding(boolean last) {
        if (last) {
            discarding = false;
        }
        return null;
    }

    private void reset() {
        binary = null;
        text = null;
        bytes = 0;
    }
}
