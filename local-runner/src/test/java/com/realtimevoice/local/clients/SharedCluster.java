package com.realtimevoice.local.clients;

import com.realtimevoice.local.LocalCluster;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One product (one ingest node, worker and result service on random ports, H2) for every client test class in
 * this JVM: started by the first class that calls {@link Ref#get()} on an injected {@link Ref}, closed when the
 * whole test run ends. The clients under test only speak the public contract, so they can share it.
 */
public final class SharedCluster implements ParameterResolver {

    /** Closed by JUnit with the root context's store, after the last test class. */
    static final class Holder implements AutoCloseable {
        final LocalCluster cluster = new LocalCluster(LocalCluster.Settings.defaults()
                        .withRandomPorts()
                        .withDatabase(Map.of(
                                "spring.datasource.url",
                                        "jdbc:h2:mem:rv_clients;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                                "spring.datasource.username", "sa",
                                "spring.datasource.password", "")))
                .start();

        @Override
        public void close() {
            cluster.close();
        }
    }

    /** The shared product, started on first use (so a test skipped for a missing tool does not start it). */
    public static final class Ref {
        private final ExtensionContext.Store store;

        Ref(ExtensionContext.Store store) {
            this.store = store;
        }

        public LocalCluster get() {
            return store.computeIfAbsent(Holder.class, k -> new Holder(), Holder.class).cluster;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Ref.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return new Ref(context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL));
    }
}
