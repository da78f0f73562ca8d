package com.realtimevoice.tools.doctor;

import com.realtimevoice.tools.Endpoints;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** The host resolves, to a name a mini-program may whitelist and an address phones can reach. */
final class DnsCheck extends Check {

    static final String NAME = "DNS";

    DnsCheck() {
        super(NAME);
    }

    @Override
    boolean run(Context ctx) {
        Endpoints ep = ctx.ep();
        long t0 = System.nanoTime();
        try {
            InetAddress[] all = ctx.options.resolver.resolve(ep.host());
            InetAddress address = all[0];
            ctx.target.address = address;
            List<String> shown = new ArrayList<>();
            for (InetAddress a : all) {
                shown.add(a.getHostAddress());
            }
            String detail = ep.host() + " -> " + String.join(", ", shown) + " (" + Target.ms(t0) + " ms)";
            if (Target.isIpLiteral(ep.host())) {
                ctx.report(
                        NAME,
                        Status.WARN,
                        detail + "; an IP address, not a name",
                        "mini-programs accept only domain names in the socket whitelist (with an ICP filing in mainland China)");
            } else if (address.isSiteLocalAddress() || address.isLinkLocalAddress()) {
                ctx.report(
                        NAME,
                        Status.WARN,
                        detail + "; a private address, unreachable for phones outside this network",
                        "publish a public A/AAAA record for " + ep.host());
            } else {
                ctx.report(NAME, Status.OK, detail, null);
            }
            return true;
        } catch (UnknownHostException e) {
            ctx.report(
                    NAME,
                    Status.FAIL,
                    "cannot resolve " + ep.host() + " (" + e.getMessage() + ")",
                    "check the spelling and the domain's A/AAAA record (dig " + ep.host()
                            + "); a new record may take a while to spread");
            return false;
        }
    }
}
