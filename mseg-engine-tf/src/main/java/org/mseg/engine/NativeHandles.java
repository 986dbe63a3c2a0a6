package org.mseg.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.mseg.api.ConfigException;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;

/**
 * The native handles behind TensorFlow Java's {@link Graph} and {@link Session}, for the few C API calls that TF Java
 * 1.1.0 does not wrap: placing ops that {@code Graph.addGradients} created without a device
 * ({@code TF_SetRequestedDevice}) and listing a session's devices ({@code TF_SessionListDevices}). Both handles are
 * private fields, so the JVM must open TF Java's package to this module:
 * {@code --add-opens tensorflow/org.tensorflow=org.mseg.engine} ({@code bin/mseg-cli} and the build's tests pass it).
 * Only multi-device training and device listing need it; everything else runs without.
 */
public final class NativeHandles {

    /** The JVM option that makes the handles readable. */
    public static final String ADD_OPENS = "--add-opens tensorflow/org.tensorflow=org.mseg.engine";

    private static final VarHandle GRAPH = field(Graph.class, TF_Graph.class);
    private static final VarHandle SESSION = field(Session.class, TF_Session.class);

    private NativeHandles() {
    }

    private static VarHandle field(Class<?> owner, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, "nativeHandle",
                    type);
        } catch (IllegalAccessException | NoSuchFieldException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the handles are readable in this JVM. */
    public static boolean available() {
        return GRAPH != null && SESSION != null;
    }

    /**
     * The graph's native handle (valid while the graph is open).
     *
     * @throws ConfigException if the JVM was started without {@link #ADD_OPENS}
     */
    public static TF_Graph graph(Graph graph, String purpose) {
        require(purpose);
        return (TF_Graph) GRAPH.get(graph);
    }

    /**
     * The session's native handle (valid while the session is open).
     *
     * @throws ConfigException if the JVM was started without {@link #ADD_OPENS}
     */
    public static TF_Session session(Session session, String purpose) {
        require(purpose);
        return (TF_Session) SESSION.get(session);
    }

    private static void require(String purpose) {
        if (!available()) {
            throw new ConfigException(purpose + " calls TensorFlow's C API on TF Java's native handles, which this JVM"
                    + " does not open to MSeg: start Java with " + ADD_OPENS + " (bin/mseg-cli does; add it to"
                    + " MSEG_JAVA_OPTS-free launchers, IDE run configurations and test runners of your own)");
        }
    }
}
