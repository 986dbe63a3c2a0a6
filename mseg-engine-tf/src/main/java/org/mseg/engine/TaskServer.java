package org.mseg.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.mseg.api.ConfigException;
import org.mseg.api.TrainingException;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Server;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's task of a TensorFlow cluster: TensorFlow's in-process gRPC server ({@code TF_NewServer},
 * {@code TF_ServerStart}) for the job {@code worker}, and the sessions whose target it is. Every process of a
 * multi-process run starts one; the collective ops of the training step then reach the other tasks through it
 * (tfjava-notes Q11), and task 0 leads the collective groups.
 *
 * <p>Facts of TensorFlow's runtime that shape this class: a server cannot be stopped ({@code TF_ServerStop} answers
 * "Clean shutdown is not currently implemented"), so there is one per process, for its life ({@link #start} returns the
 * running one when asked for the same cluster again, and refuses another); the server binds {@code 0.0.0.0:port}
 * whatever the cluster address says (TensorFlow hard-codes it) and authenticates nobody, so the port must only be
 * reachable from a private network. The devices of the task (e.g. {@code device_count} for virtual CPU devices) and
 * its thread pools come from the server's default session configuration, so the server is started with the
 * configuration of the training session.
 */
public final class TaskServer {

    private static final Logger LOG = LoggerFactory.getLogger(TaskServer.class);
    /** TensorFlow's job name of every training task. */
    public static final String JOB = "worker";

    private static TaskServer running;

    private final ClusterSpec cluster;
    private final ConfigProto config;
    private final TF_Server server;
    private final String target;

    private TaskServer(ClusterSpec cluster, ConfigProto config, TF_Server server, String target) {
        this.cluster = cluster;
        this.config = config;
        this.server = server;
        this.target = target;
    }

    /**
     * Starts this process's server for its task of {@code cluster}, or returns the one already running for the same
     * cluster and configuration.
     *
     * @param config the session configuration of the training (devices, threads); the collective group leader is added
     * @throws ConfigException   if a server for another cluster or configuration runs in this process already
     * @throws TrainingException if TensorFlow cannot start the server (e.g. its port is taken)
     */
    public static synchronized TaskServer start(ClusterSpec cluster, ConfigProto config) {
        Objects.requireNonNull(cluster, "cluster");
        ConfigProto withLeader = withLeader(config);
        if (running != null) {
            if (running.cluster.equals(cluster) && running.config.equals(withLeader)) {
                return running;
            }
            throw new ConfigException("this process already runs the TensorFlow server of task "
                    + running.cluster.taskIndex() + " of " + running.cluster.workers() + "; TensorFlow cannot stop it,"
                    + " so a process joins one cluster, with one device configuration, for its life (start another"
                    + " process for " + cluster.describe() + ")");
        }
        JobDef.Builder job = JobDef.newBuilder().setName(JOB);
        for (int t = 0; t < cluster.size(); t++) {
            job.putTasks(t, cluster.address(t));
        }
        ServerDef def = ServerDef.newBuilder()
                .setCluster(ClusterDef.newBuilder().addJob(job))
                .setJobName(JOB)
                .setTaskIndex(cluster.taskIndex())
                .setProtocol("grpc")
                .setDefaultSessionConfig(withLeader)
                .build();
        TF_Status status = tensorflow.TF_NewStatus();
        try (BytePointer bytes = new BytePointer(def.toByteArray())) {
            TF_Server server = tensorflow.TF_NewServer(bytes, bytes.capacity(), status);
            check(status, cluster, "create");
            tensorflow.TF_ServerStart(server, status);
            check(status, cluster, "start");
            String target = tensorflow.TF_ServerTarget(server).getString();
            running = new TaskServer(cluster, withLeader, server, target);
            LOG.info("TensorFlow server of task {} listening on port {} (all interfaces: TensorFlow binds 0.0.0.0),"
                    + " target {}", cluster.taskIndex(), cluster.port(cluster.taskIndex()), target);
            return running;
        } finally {
            tensorflow.TF_DeleteStatus(status);
        }
    }

    private static void check(TF_Status status, ClusterSpec cluster, String what) {
        if (tensorflow.TF_GetCode(status) != tensorflow.TF_OK) {
            String message = tensorflow.TF_Message(status).getString();
            throw new TrainingException("cannot " + what + " the TensorFlow server of task " + cluster.taskIndex()
                    + " on port " + cluster.port(cluster.taskIndex()) + " (" + cluster.source() + "): " + message
                    + ". Is the port free on this machine (another run, or an earlier process still exiting)?");
        }
    }

    private static ConfigProto withLeader(ConfigProto config) {
        ConfigProto.Builder b = config.toBuilder();
        b.setExperimental(b.getExperimental().toBuilder()
                .setCollectiveGroupLeader(taskDevicePrefix(0)));
        return b.build();
    }

    /** The cluster this server belongs to. */
    public ClusterSpec cluster() {
        return cluster;
    }

    /** The server's session target, {@code grpc://localhost:PORT}. */
    public String target() {
        return target;
    }

    /** The name prefix of a task's devices: {@code /job:worker/replica:0/task:I}. */
    public static String taskDevicePrefix(int task) {
        return "/job:" + JOB + "/replica:0/task:" + task;
    }

    /** The name prefix of this task's devices. */
    public String devicePrefix() {
        return taskDevicePrefix(cluster.taskIndex());
    }

    /**
     * A session on {@code graph} whose target is this server, seeing this task's devices only
     * ({@code device_filters}); the C API creates it and {@link NativeHandles#session} wraps it. Its variables live in
     * this process; the graph's collective ops meet the other tasks' through the servers.
     */
    public Session openSession(Graph graph, ConfigProto config) {
        ConfigProto.Builder b = withLeader(config).toBuilder();
        b.clearDeviceFilters();
        b.addDeviceFilters("/job:" + JOB + "/task:" + cluster.taskIndex());
        byte[] bytes = b.build().toByteArray();
        TF_Status status = tensorflow.TF_NewStatus();
        TF_SessionOptions options = tensorflow.TF_NewSessionOptions();
        try (BytePointer serialized = new BytePointer(bytes)) {
            tensorflow.TF_SetTarget(options, target);
            tensorflow.TF_SetConfig(options, serialized, serialized.capacity(), status);
            if (tensorflow.TF_GetCode(status) != tensorflow.TF_OK) {
                throw new IllegalStateException("session configuration refused: "
                        + tensorflow.TF_Message(status).getString());
            }
            TF_Session handle = TF_Session.newSession(NativeHandles.graph(graph, "a session on a TensorFlow server"),
                    options, status);
            if (tensorflow.TF_GetCode(status) != tensorflow.TF_OK) {
                throw new TrainingException("cannot open a session on the TensorFlow server " + target + " of task "
                        + cluster.taskIndex() + ": " + tensorflow.TF_Message(status).getString());
            }
            return NativeHandles.session(graph, (TF_Session) handle.retainReference());
        } finally {
            tensorflow.TF_DeleteSessionOptions(options);
            tensorflow.TF_DeleteStatus(status);
        }
    }

    /**
     * Waits until the server of every other task accepts connections (processes of a job start at different times:
     * pods are scheduled one by one, a restarted container comes back after a back-off), logging who is missing every
     * 10 s.
     *
     * @throws TrainingException naming the tasks still missing after {@code timeoutSeconds}
     */
    public void awaitPeers(double timeoutSeconds) {
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        long nextLog = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String missing = String.join("; ", probePeers(1000).stream().map(Unreachable::toString).toList());
            if (missing.isEmpty()) {
                return;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                throw new TrainingException("task " + cluster.taskIndex() + " waited " + (long) timeoutSeconds
                        + " s (TRAIN.peer_timeout) for the other tasks of the cluster; still missing: "
                        + missing + ". Start every task (" + cluster.source() + "), or check that"
                        + " this machine can reach them");
            }
            if (now >= nextLog) {
                LOG.info("task {} waits for {}", cluster.taskIndex(), missing);
                nextLog = now + 10_000_000_000L;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingException("interrupted while waiting for the other tasks", e);
            }
        }
    }

    /**
     * A task whose server did not accept a TCP connection.
     *
     * @param task    its index
     * @param address its {@code host:port}
     * @param refused whether its machine answered that nothing listens there (the task is gone for sure), rather
     *                than not answering in time
     * @param reason  what the connection attempt said
     */
    public record Unreachable(int task, String address, boolean refused, String reason) {
        @Override
        public String toString() {
            return "task " + task + " at " + address + " (" + reason + ")";
        }
    }

    /**
     * The other tasks whose server does not accept a TCP connection within {@code timeoutMillis}: after a collective
     * failed or hangs, the tasks that died or cannot be reached.
     */
    public List<Unreachable> probePeers(int timeoutMillis) {
        List<Unreachable> out = new ArrayList<>();
        for (int t = 0; t < cluster.size(); t++) {
            if (t == cluster.taskIndex()) {
                continue;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(cluster.host(t), cluster.port(t)), timeoutMillis);
            } catch (java.net.ConnectException e) {
                out.add(new Unreachable(t, cluster.address(t), true, "connection refused"));
            } catch (java.net.SocketTimeoutException e) {
                out.add(new Unreachable(t, cluster.address(t), false, "no answer within " + timeoutMillis + " ms"));
            } catch (IOException | RuntimeException e) {
                out.add(new Unreachable(t, cluster.address(t), false, e.getMessage() == null
                        ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        return out;
    }
}
