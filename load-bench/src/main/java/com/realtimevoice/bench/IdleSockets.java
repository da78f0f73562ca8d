package com.realtimevoice.bench;

import com.realtimevoice.client.cli.Args;
import com.realtimevoice.protocol.ClientMessage;
import com.realtimevoice.protocol.ProtocolCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code idle}: holds many authenticated, idle WebSocket connections open on one ingest node, answering the
 * server's heartbeat pings and sending a {@code ping} message now and then, from one selector thread. Each
 * connection binds a source address from {@code --source-addresses} (127.0.0.x) so that more than ~28,000
 * connections to one port fit; several processes share the load under a per-process open-file limit.
 */
final class IdleSockets {

    static final String USAGE = """
            idle [options]: hold N idle, authenticated WebSocket connections (heartbeats answered)
              --url URL               ingest node (default http://localhost:8080)
              --sockets N             connections to hold (default 1000)
              --source-addresses L    comma-separated local addresses to bind, round robin (default 127.0.0.1)
              --hold S                seconds to hold them once all are open (default 60)
              --ping-interval S       each connection sends {"type":"ping"} this often (default 30; 0 = never)
              --connect-rate N        new connections per second at most (default 1000)
              --sockets-per-user N    sockets sharing one user's token (default 20: the node's INGEST_MAX_SOCKETS_PER_USER)
            """;

    private static final int CONNECTING = 0;
    private static final int UPGRADING = 1;
    private static final int OPEN = 2;
    private static final byte[] PING =
            ProtocolCodec.write(new ClientMessage.Ping()).getBytes(StandardCharsets.UTF_8);

    private static final class Conn {
        final SocketChannel channel;
        int state = CONNECTING;
        final ByteBuffer in = ByteBuffer.allocate(4096);
        final byte[] upgrade;
        ByteBuffer out;
        long nextPingNs;

        Conn(SocketChannel channel, byte[] upgrade) {
            this.channel = channel;
            this.upgrade = upgrade;
        }
    }

    private IdleSockets() {}

    static int main(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args.ForTool parsed = Args.forTool(argv, USAGE, out, err);
        if (parsed.args() == null) {
            return parsed.exitCode();
        }
        Args a = parsed.args();
        URI base = URI.create(a.get("url", "http://localhost:8080"));
        int sockets = a.integer("sockets", 1000);
        String[] sources = a.get("source-addresses", "127.0.0.1").split(",");
        long holdNs = (long) (a.number("hold", 60) * 1e9);
        long pingNs = (long) (a.number("ping-interval", 30) * 1e9);
        int rate = a.integer("connect-rate", 1000);
        // one user per --sockets-per-user sockets: a node holds at most INGEST_MAX_SOCKETS_PER_USER (20) of one user's
        int perUser = a.integer("sockets-per-user", 20);
        String run = Long.toHexString(ThreadLocalRandom.current().nextLong());
        List<byte[]> upgrades = new ArrayList<>();
        for (int u = 0; u * perUser < sockets; u++) {
            String request = "GET /api/realtime-voice/stream?token=" + token(base, "idle-" + run + "-" + u)
                    + " HTTP/1.1\r\nHost: "
                    + base.getHost() + ":" + base.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n\r\n";
            upgrades.add(request.getBytes(StandardCharsets.US_ASCII));
        }
        InetSocketAddress server = new InetSocketAddress(base.getHost(), base.getPort());

        Selector selector = Selector.open();
        List<Conn> conns = new ArrayList<>();
        int opened = 0;
        int upgraded = 0;
        int failed = 0;
        long serverPings = 0;
        long pongs = 0;
        long start = System.nanoTime();
        long allOpenAt = 0;
        long lastReport = start;
        while (true) {
            long now = System.nanoTime();
            // open new connections at the configured rate
            long allowed = Math.min(sockets, (long) ((now - start) / 1e9 * rate) + 1);
            while (opened < allowed) {
                SocketChannel ch = SocketChannel.open();
                try {
                    ch.configureBlocking(false);
                    ch.bind(new InetSocketAddress(sources[opened % sources.length], 0));
                    ch.connect(server);
                    Conn c = new Conn(ch, upgrades.get(opened / perUser));
                    conns.add(c);
                    ch.register(selector, SelectionKey.OP_CONNECT, c);
                } catch (IOException e) {
                    failed++;
                    ch.close();
                }
                opened++;
            }
            selector.select(50);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey k = keys.next();
                keys.remove();
                Conn c = (Conn) k.attachment();
                try {
                    if (k.isConnectable() && c.channel.finishConnect()) {
                        c.state = UPGRADING;
                        c.out = ByteBuffer.wrap(c.upgrade);
                        c.channel.write(c.out);
                        k.interestOps(SelectionKey.OP_READ);
                    } else if (k.isReadable()) {
                        int n = c.channel.read(c.in);
                        if (n < 0) {
                            throw new IOException("closed by the server");
                        }
                        c.in.flip();
                        if (c.state == UPGRADING) {
                            String head = StandardCharsets.US_ASCII
                                    .decode(c.in.duplicate())
                                    .toString();
                            int endOfHead = head.indexOf("\r\n\r\n");
                            if (endOfHead < 0) {
                                c.in.compact();
                                continue;
                            }
                            if (!head.startsWith("HTTP/1.1 101")) {
                                throw new IOException("upgrade refused: "
                                        + head.lines().findFirst().orElse(""));
                            }
                            c.in.position(endOfHead + 4);
                            c.state = OPEN;
                            c.nextPingNs = now
                                    + (pingNs > 0 ? ThreadLocalRandom.current().nextLong(pingNs) : Long.MAX_VALUE);
                            upgraded++;
                        }
                        // frames from the server: answer pings, count our pongs, ignore the rest
                        while (c.in.remaining() >= 2) {
                            int b0 = c.in.get(c.in.position()) & 0xff;
                            int len = c.in.get(c.in.position() + 1) & 0x7f;
                            int header = 2;
                            if (len == 126) {
                                if (c.in.remaining() < 4) {
                                    break;
                                }
                                len = c.in.getShort(c.in.position() + 2) & 0xffff;
                                header = 4;
                            } else if (len == 127) {
                                throw new IOException("unexpected huge frame");
                            }
                            if (c.in.remaining() < header + len) {
                                break;
                            }
                            byte[] payload = new byte[len];
                            c.in.position(c.in.position() + header);
                            c.in.get(payload);
                            int opcode = b0 & 0x0f;
                            if (opcode == 0x9) {
                                serverPings++;
                                c.channel.write(frame(0xA, payload));
                            } else if (opcode == 0x1) {
                                pongs++;
                            } else if (opcode == 0x8) {
                                throw new IOException("closed by the server: "
                                        + (len >= 2 ? ((payload[0] & 0xff) << 8 | (payload[1] & 0xff)) : 0));
                            }
                        }
                        c.in.compact();
                    }
                } catch (IOException e) {
                    failed++;
                    if (failed <= 5) {
                        err.println("connection failed: " + e.getMessage());
                    }
                    k.cancel();
                    c.channel.close();
                    c.state = -1;
                }
            }
            if (pingNs > 0) {
                for (Conn c : conns) {
                    if (c.state == OPEN && now >= c.nextPingNs) {
                        c.nextPingNs = now + pingNs;
                        try {
                            c.channel.write(frame(0x1, PING));
                        } catch (IOException e) {
                            failed++;
                            c.state = -1;
                            c.channel.close();
                        }
                    }
                }
            }
            int open = 0;
            for (Conn c : conns) {
                open += c.state == OPEN ? 1 : 0;
            }
            if (allOpenAt == 0 && opened == sockets && open + failed >= sockets) {
                allOpenAt = now;
                out.println(
                        "ALL_OPEN " + open + " open, " + failed + " failed after " + (now - start) / 1_000_000 + " ms");
            }
            if (now - lastReport > 2_000_000_000L || (allOpenAt > 0 && now - allOpenAt > holdNs)) {
                lastReport = now;
                out.printf(
                        "[idle %4ds] opened %d, upgraded %d, open now %d, failed %d, server pings answered %d, pongs %d%n",
                        (now - start) / 1_000_000_000, opened, upgraded, open, failed, serverPings, pongs);
                if (allOpenAt > 0 && now - allOpenAt > holdNs) {
                    out.printf(
                            "{\"sockets\":%d,\"open\":%d,\"failed\":%d,\"serverPingsAnswered\":%d,\"pongs\":%d}%n",
                            sockets, open, failed, serverPings, pongs);
                    for (Conn c : conns) {
                        c.channel.close();
                    }
                    return failed == 0 ? 0 : 1;
                }
            }
        }
    }

    static ByteBuffer frame(int opcode, byte[] payload) {
        return SelectorUsers.frame(opcode, payload);
    }

    private static String token(URI base, String userId) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest r = HttpRequest.newBuilder(base.resolve("/api/auth/dev-token"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + userId + "\"}"))
                .build();
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IllegalStateException("POST /api/auth/dev-token answered " + resp.statusCode());
        }
        return LoadPhase.JSON.readTree(resp.body()).path("token").asString();
    }
}
