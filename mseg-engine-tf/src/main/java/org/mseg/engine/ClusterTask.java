package org.mseg.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.mseg.api.ConfigException;
import org.mseg.api.TrainingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * A {@link Trainer}'s side of being one task of a cluster: this process's {@link TaskServer}, the {@link PeerWatchdog}
 * over every session run that waits on the other tasks, and what the tasks do together outside the step
 * ({@link ClusterSync}): joining (wait for the peers, handshake, broadcast), sums over the tasks, and leaving (the final
 * barrier). A collective that fails is explained by {@link #failure}: the tasks that no longer accept connections,
 * with their addresses, and how to continue.
 */
final class ClusterTask implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTask.class);
    /**
     * How long a task stays after the final barrier: its peers may still be fetching the barrier's own tensors from
     * it (a gRPC pull of a few bytes).
     */
    private static final long LINGER_MILLIS = 1500;

    private final TaskServer server;
    private final PeerWatchdog watchdog;
    private final float timeoutSeconds;

    private ClusterTask(TaskServer server, float timeoutSeconds) {
        this.server = server;
        this.timeoutSeconds = timeoutSeconds;
        this.watchdog = new PeerWatchdog(server, timeoutSeconds);
    }

    /**
     * Starts this process's server for its task of {@code cluster} (before the graph: the task's devices and thread
     * pools are the server's, and it must listen before its peers call) and the watchdog.
     */
    static ClusterTask start(ClusterSpec cluster, ConfigProto config, float timeoutSeconds) {
        return new ClusterTask(TaskServer.start(cluster, config), timeoutSeconds);
    }

    /** The cluster. */
    ClusterSpec cluster() {
        return server.cluster();
    }

    /** A session of {@code graph} on this task's server. */
    Session openSession(Graph graph, ConfigProto config) {
        return server.openSession(graph, config);
    }

    /**
     * Runs {@code work}, a session run that waits on the other tasks, under the watchdog; a failure other than a
     * {@link TrainingException} of the work itself becomes {@link #failure}.
     */
    <T> T run(String what, Supplier<T> work) {
        try {
            return watchdog.guard(what, work);
        } catch (TrainingException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(e, what);
        }
    }

    /**
     * Joins the other tasks: waits until their servers accept connections, checks with all of them that they train
     * the same thing from the same step (the handshake), then gives every variable task 0's value (the broadcast).
     *
     * @param fingerprint 48 bits of a hash of what every task must agree on
     * @throws ConfigException naming what differs between the tasks
     */
    void join(Session session, ClusterSync sync, int localReplicas, long iteration, long fingerprint) {
        ClusterSpec cluster = server.cluster();
        double[] mine = {localReplicas, iteration, fingerprint >>> 24, fingerprint & 0xffffff};
        long start = System.nanoTime();
        server.awaitPeers(timeoutSeconds);
        double[][] all = run("the start-up handshake", () -> sync.handshake(session, mine));
        List<String> problems = new ArrayList<>();
        for (int t = 1; t < all.length; t++) {
            String who = "task " + t + " (" + cluster.address(t) + ")";
            if (all[t][0] != all[0][0]) {
                problems.add(who + " runs " + (long) all[t][0] + " replicas (--devices) and task 0 runs "
                        + (long) all[0][0] + ": every task needs the same number of devices");
            }
            if (all[t][1] != all[0][1]) {
                problems.add(who + " starts after step " + (long) all[t][1] + " and task 0 after step "
                        + (long) all[0][1] + ": every task must resume from the same checkpoint (the same --resume,"
                        + " in a run folder every task sees, e.g. on a shared file system)");
            }
            if (all[t][2] != all[0][2] || all[t][3] != all[0][3]) {
                problems.add(who + " trains a different setup than task 0 (model, batch layout, crop size, precision,"
                        + " strategy, schedule, seed or allreduce_precision differ): start every task with the same"
                        + " configuration and options");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("the tasks of the cluster do not match: " + String.join("; ", problems));
        }
        run("the broadcast of task 0's variables", () -> {
            sync.broadcast(session);
            return null;
        });
        LOG.info("joined the cluster as task {} of {} in {} s; {} variables now hold task 0's values",
                cluster.taskIndex(), cluster.size(), String.format(Locale.ROOT, "%.1f",
                        (System.nanoTime() - start) / 1e9), sync.variables());
    }

    /** The element-wise sum of {@code values} over every task ({@link ClusterSync#sum}). */
    double[] sum(Session session, ClusterSync sync, double[] values) {
        return run("a sum over the tasks", () -> sync.sum(session, values));
    }

    /**
     * Waits until every task has reached this point, then a moment more, so that no task exits while another still
     * reads tensors from it.
     */
    void leave(Session session, ClusterSync sync) {
        run("the final barrier", () -> {
            sync.barrier(session);
            return null;
        });
        try {
            Thread.sleep(LINGER_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A failed collective, explained: the tasks that no longer accept connections (dead, or cut off) are named with
     * their addresses; the run cannot go on in any task (TensorFlow aborts its collectives).
     */
    TrainingException failure(RuntimeException e, String during) {
        ClusterSpec cluster = server.cluster();
        List<TaskServer.Unreachable> unreachable = server.probePeers(2000);
        String tf = tensorFlowMessage(e);
        String restart = "Restart every task with --resume RUN (or --resume auto) to continue from the last checkpoint";
        if (!unreachable.isEmpty()) {
            return new TrainingException("task " + cluster.taskIndex() + " stopped in " + during + ": "
                    + String.join("; ", unreachable.stream().map(TaskServer.Unreachable::toString).toList())
                    + (unreachable.size() == 1 ? " is" : " are") + " gone (dead, or unreachable over the network). "
                    + restart + ". TensorFlow: " + tf, e);
        }
        return new TrainingException("task " + cluster.taskIndex() + " stopped in " + during + ": a collective"
                + " with the other tasks failed, although every task still accepts connections (a task may be stuck,"
                + " or slower than TRAIN.peer_timeout " + (int) timeoutSeconds + " s allows). " + restart
                + ". TensorFlow: " + tf, e);
    }

    /** TensorFlow's error without its multi-line RPC details: the lines that say what failed, at most 300 chars. */
    private static String tensorFlowMessage(RuntimeException e) {
        if (e.getMessage() == null) {
            return e.toString();
        }
        String text = String.join(" ", e.getMessage().lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("{") && !l.startsWith(":{")).toList());
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** Stops the watchdog (the server runs on: TensorFlow cannot stop it). */
    @Override
    public void close() {
        watchdog.stop();
    }
}
