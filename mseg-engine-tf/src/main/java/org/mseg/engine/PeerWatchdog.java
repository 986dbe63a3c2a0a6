package org.mseg.engine;

import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a task of a cluster whose session run waits for the other tasks longer than {@code TRAIN.peer_timeout}.
 *
 * <p>A task that dies is noticed by TensorFlow at once (its peers' transfers fail, and {@link Trainer} names it).
 * A task that hangs, or a network that drops packets silently, is not: the collectives would wait forever. TensorFlow's
 * own {@code timeout_seconds} attribute of the collective ops is not used for this, because TensorFlow 2.18 starts a
 * detached thread per collective execution that sleeps for the whole timeout: with a few hundred collectives per step
 * the process ran out of threads within 30 steps (measured). Instead a daemon thread watches the session runs that
 * wait on peers ({@link #guard}). From 5 s into such a run it probes the peers every 5 s: a peer whose machine refuses
 * the connection is dead, and so is the run. A run that waits longer than the timeout ends too, whatever the probe
 * says. The run cannot be interrupted (it is native code), so the watchdog prints which tasks do not accept
 * connections and halts the process with exit code 1. The run folder stays consistent: checkpoints are written atomically between steps, and its lock is an OS
 * file lock, released with the process.
 */
final class PeerWatchdog {

    private static final Logger LOG = LoggerFactory.getLogger(PeerWatchdog.class);
    /** Exit code of a task ended by the watchdog (the CLI's code for a failure). */
    static final int EXIT_CODE = 1;

    /** After this long in one run, peers are probed every as often: a refused connection ends the task at once. */
    private static final long PROBE_AFTER_NANOS = 5_000_000_000L;

    private final TaskServer server;
    private final long timeoutNanos;
    private volatile String running;
    private volatile long since;

    private final Thread thread;

    PeerWatchdog(TaskServer server, double timeoutSeconds) {
        this.server = server;
        this.timeoutNanos = (long) (timeoutSeconds * 1e9);
        this.thread = new Thread(this::watch, "mseg-peer-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops watching (the trainer is closed). */
    void stop() {
        thread.interrupt();
    }

    /** Runs {@code work} (a session run that waits on the other tasks), described as {@code what} if it hangs. */
    <T> T guard(String what, Supplier<T> work) {
        since = System.nanoTime();
        running = what;
        try {
            return work.get();
        } finally {
            running = null;
        }
    }

    private void watch() {
        long lastProbe = 0;
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            String what = running;
            long started = since;
            long now = System.nanoTime();
            if (what == null) {
                continue;
            }
            boolean timedOut = now - started >= timeoutNanos;
            // a peer whose machine answers "connection refused" is dead for sure: no need to wait for the timeout
            boolean probe = timedOut || (now - started >= PROBE_AFTER_NANOS && now - lastProbe >= PROBE_AFTER_NANOS);
            if (!probe) {
                continue;
            }
            lastProbe = now;
            List<TaskServer.Unreachable> gone = server.probePeers(2000);
            boolean dead = gone.stream().anyMatch(TaskServer.Unreachable::refused);
            if (!(timedOut || dead) || !what.equals(running) || started != since) {
                continue;
            }
            ClusterSpec cluster = server.cluster();
            String waited = String.format(java.util.Locale.ROOT, "%.0f", (now - started) / 1e9);
            String message = "task " + cluster.taskIndex() + " waited " + waited + " s for the other tasks in " + what
                    + " (TRAIN.peer_timeout " + timeoutNanos / 1_000_000_000L + " s); "
                    + (gone.isEmpty() ? "every task still accepts connections, so one is stuck (or slower than the"
                            + " timeout allows: raise --peer-timeout)"
                            : String.join("; ", gone.stream().map(TaskServer.Unreachable::toString).toList())
                                    + (gone.size() == 1 ? " is" : " are") + " gone (dead, or unreachable over the"
                                    + " network)")
                    + ". Stopping this task (exit code " + EXIT_CODE + "); restart every task with --resume RUN (or"
                    + " --resume auto) to continue from the last checkpoint";
            LOG.error(message);
            System.err.println("error: " + message);
            System.err.flush();
            System.out.flush();
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
