package com.realtimevoice.bench;

import java.util.Arrays;

/**
 * {@code load-bench/run load|baseline|idle|store|kafka-floor|watchers|capacity|coldstart|jmh ...}: the performance tools of docs/performance.md.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "load":
                System.exit(LoadGenerator.main(rest, System.out, System.err));
                break;
            case "baseline":
                BaselineServer.main(rest);
                break;
            case "idle":
                System.exit(IdleSockets.main(rest, System.out, System.err));
                break;
            case "store":
                System.exit(StoreBench.main(rest, System.out, System.err));
                break;
            case "kafka-floor":
                System.exit(KafkaFloor.main(rest, System.out, System.err));
                break;
            case "capacity":
                System.exit(Capacity.main(rest, System.out, System.err));
                break;
            case "coldstart":
                System.exit(ColdStart.main(rest, System.out, System.err));
                break;
            case "watchers":
                System.exit(WatchersBench.main(rest, System.out, System.err));
                break;
            case "jmh":
                org.openjdk.jmh.Main.main(rest);
                break;
            default:
                System.out.println(
                        "usage: load-bench/run load|baseline|idle|store|kafka-floor|watchers|capacity|coldstart|jmh [options]  (--help for each)");
                System.out.print(LoadGenerator.USAGE);
                System.out.print(BaselineServer.USAGE);
                System.out.print(IdleSockets.USAGE);
                System.out.print(StoreBench.USAGE);
                System.out.print(KafkaFloor.USAGE);
                System.out.print(WatchersBench.USAGE);
                System.out.print(Capacity.USAGE);
                System.out.print(ColdStart.USAGE);
                System.out.println(
                        "jmh [JMH options]: the per-chunk hot-path benchmarks (com.realtimevoice.bench.jmh)");
                System.exit("help".equals(command) || "--help".equals(command) ? 0 : 2);
        }
    }
}
