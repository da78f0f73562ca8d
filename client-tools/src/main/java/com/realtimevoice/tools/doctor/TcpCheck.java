package com.realtimevoice.tools.doctor;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** Something accepts TCP connections at the address and port. */
final class TcpCheck extends Check {

    static final String NAME = "TCP connect";

    TcpCheck() {
        super(NAME);
    }

    @Override
    boolean run(Context ctx) {
        InetAddress address = ctx.target.address;
        int port = ctx.ep().port();
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), ctx.target.timeoutMs());
            ctx.report(NAME, Status.OK, address.getHostAddress() + ":" + port + " in " + Target.ms(t0) + " ms", null);
            return true;
        } catch (ConnectException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "connection refused at " + address.getHostAddress() + ":" + port + ": nothing listens there",
                    "start the service (or the proxy in front of it); check the port (ingest-service: PORT, default 8080; "
                            + "a proxy: its listen directive) and that the URL's port is the public one");
        } catch (SocketTimeoutException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "no answer from " + address.getHostAddress() + ":" + port + " within "
                            + ctx.options.timeout.toSeconds() + " s",
                    "a firewall or security group drops the packets: open port " + port + " to the internet");
        } catch (NoRouteToHostException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "no route to " + address.getHostAddress() + " (" + e.getMessage() + ")",
                    "the host is down or a firewall rejects the traffic");
        } catch (IOException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "cannot connect to " + address.getHostAddress() + ":" + port + ": " + e,
                    "check the host and port");
        }
        return false;
    }
}
