package com.realtimevoice.tools;

import com.realtimevoice.tools.doctor.Doctor;
import java.util.Arrays;

/** {@code java -jar realtime-voice-tools.jar transcribe|watch|sessions|export|delete|doctor ...}: command-line clients of realtime-voice. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "transcribe":
                return new Transcribe(System.out, System.err, System.in, System.console() != null).run(rest);
            case "doctor":
                return Doctor.main(rest, System.out, System.err);
            case "watch":
                try {
                    return new Watch(System.out, System.err).run(rest);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 3;
                }
            case "sessions", "export", "delete":
                return new History(System.out, System.err).run(command, rest);
            case "help", "-h", "--help":
                System.out.println(
                        "usage: java -jar realtime-voice-tools.jar transcribe|watch|sessions|export|delete|doctor [options]  (--help for each)");
                System.out.print(Transcribe.USAGE_TEXT);
                System.out.println();
                System.out.print(Watch.USAGE_TEXT);
                System.out.println();
                System.out.print(History.USAGE_TEXT);
                System.out.println();
                System.out.print(Doctor.USAGE_TEXT);
                return 0;
            default:
                System.err.println(
                        "unknown command '" + command + "': use transcribe, watch, sessions, export, delete or doctor");
                return 2;
        }
    }
}
