package org.mseg.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import org.mseg.api.ConfigException;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;

/**
 * The native handles behind TensorFlow Java's {@link Graph} and {@link Session}, for the few C API calls that TF Java
 * 1.1.0 does not wrap: placing ops that {@code Graph.addGradients} created without a device
 * ({@code TF_SetRequestedDevice}), listing a session's devices ({@code TF_SessionListDevices}), and wrapping a session
 * that the C API created with a target ({@link #session(Graph, TF_Session)}: TF Java's public constructors always pass
 * none, and a task of a TensorFlow cluster needs its server's). The handles are private fields and the wrapping
 * constructor is package-private, so the JVM must open TF Java's package to this module:
 * {@code --add-opens tensorflow/org.tensorflow=org.mseg.engine} ({@code bin/mseg-cli} and the build's tests pass it).
 * Only multi-device and multi-process training and device listing need it; everything else runs without.
 *
 * <p>This is the one class that reaches into TF Java's internals (checked against TF Java 1.1.0). If an upgrade renames
 * what it reaches, {@link #available()} turns false and every use fails with a {@link ConfigException} that names
 * the member that is missing, instead of a reflective error deep inside training.
 */
public final class NativeHandles {

    /** The JVM option that makes the handles readable. */
    public static final String ADD_OPENS = "--add-opens tensorflow/org.tensorflow=org.mseg.engine";

    private static final VarHandle GRAPH = field(Graph.class, TF_Graph.class);
    private static final VarHandle SESSION = field(Session.class, TF_Session.class);
    /** {@code Session(Graph, TF_Session)}: wraps a native session without creating one. */
    private static final MethodHandle WRAP = constructor();

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

    private static MethodHandle constructor() {
        try {
            return MethodHandles.privateLookupIn(Session.class, MethodHandles.lookup()).findConstructor(Session.class,
                    MethodType.methodType(void.class, Graph.class, TF_Session.class));
        } catch (IllegalAccessException | NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the handles are readable in this JVM. */
    public static boolean available() {
        return GRAPH != null && SESSION != null && WRAP != null;
    }

    /**
     * A {@link Session} of TF Java around a native session created through the C API (with a target, for a task of a
     * TensorFlow cluster). The session owns the handle from now on: closing it deletes the native session. It does not
     * run initializers by itself; call {@link Session#initialize()}.
     *
     * @throws ConfigException if the JVM was started without {@link #ADD_OPENS}
     */
    public static Session session(Graph graph, TF_Session handle) {
        require("a session on a TensorFlow server");
        try {
            return (Session) WRAP.invoke(graph, handle);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("TF Java's Session(Graph, TF_Session) failed: " + e, e);
        }
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
        if (available()) {
            return;
        }
        if (!Session.class.getModule().isOpen("org.tensorflow", NativeHandles.class.getModule())) {
            throw new ConfigException(purpose + " calls TensorFlow's C API on TF Java's native handles, which this JVM"
                    + " does not open to MSeg: start Java with " + ADD_OPENS + " (bin/mseg-cli does; add it to"
                    + " MSEG_JAVA_OPTS-free launchers, IDE run configurations and test runners of your own)");
        }
        throw new ConfigException(purpose + " needs TF Java internals that this TensorFlow Java version does not have"
                + " (checked with 1.1.0): " + missing() + ". Use TensorFlow Java 1.1.0, or adapt"
                + " org.mseg.engine.NativeHandles to the new version");
    }

    private static String missing() {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (GRAPH == null) {
            out.add("the field Graph.nativeHandle (TF_Graph)");
        }
        if (SESSION == null) {
            out.add("the field Session.nativeHandle (TF_Session)");
        }
        if (WRAP == null) {
            out.add("the constructor Session(Graph, TF_Session)");
        }
        return String.join(", ", out);
    }
}
