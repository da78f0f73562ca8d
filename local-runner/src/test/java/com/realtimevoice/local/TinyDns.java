package com.realtimevoice.local;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server of the test's own on 127.0.0.1 (UDP, a random port): it answers A queries for the names it is given,
 * with the addresses set now (changed between requests to show that a resolver follows), and NXDOMAIN otherwise.
 */
final class TinyDns implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<String, List<InetAddress>> records = new ConcurrentHashMap<>();
    final AtomicInteger queries = new AtomicInteger();
    private final Thread thread;

    TinyDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "tiny-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** host:port, as nginx's resolver directive takes it. */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    void set(String name, String... addresses) {
        List<InetAddress> list = java.util.Arrays.stream(addresses)
                .map(a -> {
                    try {
                        return InetAddress.getByName(a);
                    } catch (IOException e) {
                        throw new IllegalArgumentException(a, e);
                    }
                })
                .toList();
        records.put(name.toLowerCase(Locale.ROOT), list);
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
                byte[] answer = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(ByteBuffer query) {
        queries.incrementAndGet();
        short id = query.getShort(0);
        int questions = query.getShort(4) & 0xffff;
        if (questions != 1) {
            return null;
        }
        // the question: labels, then type and class
        StringBuilder name = new StringBuilder();
        int at = 12;
        for (int len; (len = query.get(at) & 0xff) != 0; at += len + 1) {
            if (name.length() > 0) {
                name.append('.');
            }
            for (int i = 1; i <= len; i++) {
                name.append((char) query.get(at + i));
            }
        }
        int questionEnd = at + 1 + 4;
        int type = query.getShort(at + 1) & 0xffff;
        List<InetAddress> addresses = records.get(name.toString().toLowerCase(Locale.ROOT));
        List<InetAddress> a = addresses == null || type != 1 ? List.of() : addresses;
        ByteBuffer out = ByteBuffer.allocate(questionEnd + a.size() * 16);
        out.putShort(id);
        out.putShort((short) (addresses == null ? 0x8183 : 0x8180)); // response, RD+RA; NXDOMAIN for unknown names
        out.putShort((short) 1).putShort((short) a.size()).putShort((short) 0).putShort((short) 0);
        out.put(query.array(), query.arrayOffset() + 12, questionEnd - 12);
        for (InetAddress address : a) {
            out.putShort((short) 0xc00c)
                    .putShort((short) 1)
                    .putShort((short) 1)
                    .putInt(1)
                    .putShort((short) 4)
                    .put(address.getAddress());
        }
        return out.array();
    }

    @Override
    public void close() {
        socket.close();
    }
}
