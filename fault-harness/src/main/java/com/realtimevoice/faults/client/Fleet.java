package com.realtimevoice.faults.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/** A group of clients streaming at once, each on its own thread, with one shared record of what they did and saw. */
public final class Fleet {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<FleetClient> clients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<ClientEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong finals = new AtomicLong();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Fleet(List<FleetClient.Plan> plans, List<String> nodeUrls, List<String> nodeNames, Duration maxSessionTime) {
        for (FleetClient.Plan plan : plans) {
            clients.add(new FleetClient(plan, nodeUrls, nodeNames, http, this::record, maxSessionTime));
        }
    }

    private void record(ClientEvent event) {
        events.add(event);
        if ("final".equals(event.kind())) {
            finals.incrementAndGet();
        }
    }

    /** Starts the clients {@code stagger} apart. */
    public Fleet start(Duration stagger) throws InterruptedException {
        for (FleetClient client : clients) {
            Thread t = new Thread(client, "client-" + client.plan().name());
            t.setDaemon(true);
            threads.add(t);
            t.start();
            Thread.sleep(stagger.toMillis());
        }
        return this;
    }

    /** Waits for every client to finish (completed or failed); returns false if some are still going at the timeout. */
    public boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, left / 1_000_000));
            }
        }
        boolean all = threads.stream().noneMatch(Thread::isAlive);
        if (!all) {
            threads.forEach(Thread::interrupt);
            for (Thread t : threads) {
                t.join(5000);
            }
        }
        return all;
    }

    /** Waits until some client receives a final it had not when called (a moment when finals are flowing). */
    public boolean awaitNextFinal(Duration timeout) throws InterruptedException {
        long seen = finals.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (finals.get() == seen) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    public List<FleetClient> clients() {
        return clients;
    }

    public List<ClientEvent> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    public void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            StringBuilder out = new StringBuilder();
            for (ClientEvent e : events()) {
                out.append(JSON.writeValueAsString(e)).append('\n');
            }
            Files.writeString(file, out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
