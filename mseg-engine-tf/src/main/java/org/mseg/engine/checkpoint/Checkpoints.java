package org.mseg.engine.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Session;
import org.mseg.api.json.Json;
import org.mseg.api.json.JsonException;

/**
 * Writes, reads and restores MSeg checkpoints, and finds the newest one of a training run.
 *
 * <p>A checkpoint is a folder:
 *
 * <pre>
 * DIR/
 *   checkpoint.json                   {@link CheckpointMetadata} (model, taxonomy, class names, training state)
 *   variables.index                   \ TensorFlow checkpoint written by Session.save(DIR/variables):
 *   variables.data-00000-of-00001     / every VariableV2 of the graph (model, BN statistics, optimizer slots)
 * </pre>
 *
 * <p>A training run keeps its checkpoints in {@code RUN/checkpoints/iter_<n>} ({@link #iterationDir}), found again by
 * {@link #latest} and pruned by {@link #keepLast}.
 *
 * <p><b>Variables and the saver.</b> TensorFlow Java builds the graph's saver ops once, at the first
 * {@code save}/{@code restore} of any session on that graph, over the {@code VariableV2} ops that exist at that
 * moment; variables created later are silently not saved. Create every variable (model, optimizer slots, counters)
 * before the first {@link #write} or {@link #restore}. The model's variables must sit at the graph's root scope (the
 * model provider builds into {@code GraphBackend.tf()}) with stable names: checkpoint entries are looked up by op
 * name.
 *
 * <p><b>Restoring a subset.</b> TensorFlow's restore reads only the entries the restoring graph asks for, so a
 * graph holding only the model (e.g. {@link LoadedModel}) restores a training checkpoint that also holds optimizer
 * slots; entries the graph lacks are ignored, entries the checkpoint lacks are an error.
 */
public final class Checkpoints {

    /** The metadata file of a checkpoint folder. */
    public static final String METADATA_FILE = "checkpoint.json";
    /** The prefix passed to {@code Session.save}, relative to the checkpoint folder. */
    public static final String VARIABLES_PREFIX = "variables";
    /** The TensorFlow index file. */
    public static final String INDEX_FILE = VARIABLES_PREFIX + ".index";
    /** The TensorFlow data file (one shard). */
    public static final String DATA_FILE = VARIABLES_PREFIX + ".data-00000-of-00001";
    /** The folder of a run that holds its checkpoints. */
    public static final String CHECKPOINTS_FOLDER = "checkpoints";
    /** Name prefix of an iteration checkpoint folder: {@code iter_<n>}. */
    public static final String ITERATION_PREFIX = "iter_";

    private static final Pattern ITERATION = Pattern.compile("iter_(\\d{1,18})");
    private static final String TMP_INFIX = ".tmp-";
    private static final String OLD_INFIX = ".old-";

    private Checkpoints() {
    }

    /**
     * Writes a checkpoint of every variable of {@code session}'s graph to {@code dir}, atomically.
     *
     * <p>Everything is written into a sibling folder {@code .<name>.tmp-<random>}, flushed to disk, and renamed to
     * {@code dir} with {@link StandardCopyOption#ATOMIC_MOVE}. If {@code dir} already exists it is first renamed to
     * {@code .<name>.old-<random>} and deleted once the new folder is in place.
     *
     * <p>Guarantee: whenever the process dies, a complete checkpoint exists: at {@code dir} (the old one until the
     * final rename, the new one after it) or, only in the instant between the two renames of a replacement, at
     * {@code .<name>.old-<random>}. The next {@code write} of the same {@code dir}, {@link #read}, {@link #restore}
     * and {@link #latest} move such a leftover back to {@code dir}; stale temporary folders are deleted by the next
     * {@code write} of the same name and by {@link #keepLast}. A failed write (I/O error, TensorFlow error,
     * unserialisable training state) deletes its temporary folder and leaves {@code dir} untouched.
     *
     * @param dir     the checkpoint folder to create or replace; its parent is created if missing
     * @param session a session of the graph holding the model at its root scope
     * @param meta    what to write to {@code checkpoint.json}
     * @return {@code dir}
     * @throws CheckpointException naming the folder, when the graph lacks the model, an extra variable is not in
     *                             the graph, the training state is not JSON-serialisable, or writing fails
     */
    public static Path write(Path dir, Session session, CheckpointMetadata meta) {
        return write(dir, session, meta, () -> { });
    }

    /** {@link #write(Path, Session, CheckpointMetadata)} with a hook run just before publishing, for tests. */
    static Path write(Path dir, Session session, CheckpointMetadata meta, Runnable beforePublish) {
        Path target = dir.toAbsolutePath().normalize();
        checkGraph(session.graph(), meta, target);
        String json;
        try {
            json = Json.write(meta.toJson(), true) + "\n";
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("cannot write checkpoint " + target + ": metadata is not JSON: "
                    + e.getMessage(), e);
        }
        Path parent = target.getParent();
        String name = target.getFileName().toString();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            recover(target);
            deleteSiblings(parent, name, TMP_INFIX);
            tmp = parent.resolve("." + name + TMP_INFIX + randomSuffix());
            Files.createDirectory(tmp);
            try {
                session.save(tmp.resolve(VARIABLES_PREFIX).toString());
            } catch (RuntimeException e) {
                if (isDiskFull(e)) {
                    throw diskFull(target, e);
                }
                throw new CheckpointException("cannot write checkpoint " + target + ": TensorFlow failed to save the "
                        + "variables: " + e.getMessage(), e);
            }
            for (String file : List.of(INDEX_FILE, DATA_FILE)) {
                if (!Files.isRegularFile(tmp.resolve(file))) {
                    throw new CheckpointException("cannot write checkpoint " + target + ": Session.save did not write "
                            + file + " (found " + listNames(tmp) + ")");
                }
            }
            Files.writeString(tmp.resolve(METADATA_FILE), json, StandardCharsets.UTF_8);
            for (String file : List.of(INDEX_FILE, DATA_FILE, METADATA_FILE)) {
                fsync(tmp.resolve(file));
            }
            fsyncDirectory(tmp);
            beforePublish.run();
            publish(tmp, target);
            tmp = null;
            fsyncDirectory(parent);
            return dir;
        } catch (IOException e) {
            if (isDiskFull(e)) {
                throw diskFull(target, e);
            }
            throw new CheckpointException("cannot write checkpoint " + target + ": " + e, e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    /** Whether TensorFlow's restore failed on the files themselves (cut short, bad checksum), not on the graph. */
    private static boolean isDamage(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Read less bytes than requested") || m.contains("DATA_LOSS") || m.contains("Data loss")
                || m.contains("checksum") || m.contains("corrupted");
    }

    /**
     * Whether a write failed because the file system is full or over quota: {@code ENOSPC} / {@code EDQUOT} from
     * Java's file I/O, or TensorFlow's RESOURCE_EXHAUSTED from its file writer, anywhere in the cause chain.
     */
    static boolean isDiskFull(Throwable failure) {
        return anyCauseSays(failure, "No space left on device", "ENOSPC") || isOverQuota(failure);
    }

    private static boolean isOverQuota(Throwable failure) {
        return anyCauseSays(failure, "Disk quota exceeded", "EDQUOT");
    }

    private static boolean anyCauseSays(Throwable failure, String... phrases) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = t.getMessage();
            for (String phrase : phrases) {
                if (m != null && m.contains(phrase)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The error for a full disk. It names the checkpoint folder and the fix, and deliberately leaves out
     * TensorFlow's text: SaveV2 reports ENOSPC as RESOURCE_EXHAUSTED, and the session appends its hint about
     * tensor allocations "when OOM happens", which sends users looking for a memory problem.
     */
    static CheckpointException diskFull(Path target, Throwable cause) {
        String reason = isOverQuota(cause) ? "the disk quota is exceeded" : "the disk is full";
        return new CheckpointException("cannot write checkpoint " + target + ": " + reason + " (no space left on the"
                + " file system of " + target.getParent() + "). Free space there, keep fewer checkpoints (--set"
                + " keep_checkpoints=N keeps the newest N), or train into a folder on another disk with --out DIR;"
                + " the checkpoints already written are intact", cause);
    }

    private static void publish(Path tmp, Path target) throws IOException {
        Path parent = target.getParent();
        String name = target.getFileName().toString();
        Path aside = null;
        if (Files.exists(target)) {
            aside = parent.resolve("." + name + OLD_INFIX + randomSuffix());
            atomicMove(target, aside);
        }
        try {
            atomicMove(tmp, target);
        } catch (IOException | RuntimeException e) {
            if (aside != null) {
                try {
                    atomicMove(aside, target);
                } catch (IOException restore) {
                    e.addSuppressed(restore);
                }
            }
            throw e;
        }
        if (aside != null) {
            deleteQuietly(aside);
        }
    }

    private static void atomicMove(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to + " cannot rename atomically; write checkpoints to a "
                    + "local file system", e);
        }
    }

    /**
     * The names of every {@code VariableV2} of a graph, sorted: what {@link #write} saves. A training engine lists
     * its non-model variables for {@link CheckpointMetadata#withExtraVariables} as these names minus the model's
     * ({@code GraphModel.allVariables()}).
     *
     * @param graph the graph
     * @return the variable (op) names
     */
    public static List<String> variableNames(Graph graph) {
        List<String> names = new ArrayList<>();
        Iterator<GraphOperation> ops = graph.operations();
        while (ops.hasNext()) {
            GraphOperation op = ops.next();
            if (op.type().equals("VariableV2")) {
                names.add(op.name());
            }
        }
        names.sort(null);
        return List.copyOf(names);
    }

    /**
     * Reads and validates {@code DIR/checkpoint.json} and checks that the TensorFlow files are present.
     *
     * @param dir the checkpoint folder
     * @return its metadata
     * @throws CheckpointException naming the missing or corrupt file, or the unknown format version
     */
    public static CheckpointMetadata read(Path dir) {
        Path target = dir.toAbsolutePath().normalize();
        recoverQuietly(target);
        if (!Files.isDirectory(target)) {
            throw new CheckpointException("checkpoint folder " + target + " does not exist or is not a folder");
        }
        Path file = target.resolve(METADATA_FILE);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("checkpoint " + target + " has no " + METADATA_FILE
                    + "; it is not an MSeg checkpoint folder (import PyTorch weights with 'mseg-cli model import')");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e, e);
        }
        Object json;
        try {
            json = Json.parse(text, file.toString());
        } catch (JsonException e) {
            throw new CheckpointException("corrupt checkpoint metadata " + e.getMessage(), e);
        }
        CheckpointMetadata meta = CheckpointMetadata.fromJson(json, file.toString());
        for (String name : List.of(INDEX_FILE, DATA_FILE)) {
            Path f = target.resolve(name);
            if (!Files.isRegularFile(f)) {
                throw new CheckpointException("checkpoint " + target + " is incomplete: " + f + " is missing");
            }
        }
        return meta;
    }

    /**
     * Restores every variable of {@code session}'s graph from the checkpoint in {@code dir}. The graph may lack
     * variables the checkpoint has (a model-only graph restoring a training checkpoint); every variable of the graph
     * must be in the checkpoint. This is the graph's first save/restore unless its saver already exists, see the
     * class comment.
     *
     * @param dir     the checkpoint folder
     * @param session a session of a graph with the same variable names and shapes
     * @return the checkpoint's metadata
     * @throws CheckpointException naming the folder when a file is missing or corrupt, or a variable is missing or
     *                             has another shape
     */
    public static CheckpointMetadata restore(Path dir, Session session) {
        Path target = dir.toAbsolutePath().normalize();
        CheckpointMetadata meta = read(target);
        try {
            session.restore(target.resolve(VARIABLES_PREFIX).toString());
        } catch (RuntimeException e) {
            String tf = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            if (isDamage(e)) {
                throw new CheckpointException("cannot restore checkpoint " + target + ": it is damaged, its"
                        + " variables files are truncated or corrupt (" + tf + ")", e);
            }
            throw new CheckpointException("cannot restore checkpoint " + target + " (" + meta.variant() + ", "
                    + meta.numClasses() + " classes) into this graph: " + e.getMessage(), e);
        }
        return meta;
    }

    /**
     * The checkpoint folder of iteration {@code n} of a run: {@code RUN/checkpoints/iter_<n>}.
     *
     * @param runDir    the run folder
     * @param iteration the iteration, at least 0
     * @return the folder (not created)
     */
    public static Path iterationDir(Path runDir, long iteration) {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must not be negative, was " + iteration);
        }
        return runDir.resolve(CHECKPOINTS_FOLDER).resolve(ITERATION_PREFIX + iteration);
    }

    /**
     * The iteration of a folder named {@code iter_<n>}.
     *
     * @param checkpointDir a checkpoint folder
     * @return {@code n}, or empty when the name has another form
     */
    public static OptionalLong iteration(Path checkpointDir) {
        Path name = checkpointDir.getFileName();
        Matcher m = name == null ? null : ITERATION.matcher(name.toString());
        return m != null && m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /**
     * The iteration checkpoints of a run, oldest first. Interrupted replacements are first completed (see
     * {@link #write}); temporary folders are not listed.
     *
     * @param runDir the run folder
     * @return the {@code RUN/checkpoints/iter_<n>} folders, sorted by {@code n}; empty if there are none
     * @throws CheckpointException if the folder cannot be listed
     */
    public static List<Path> list(Path runDir) {
        Path folder = runDir.resolve(CHECKPOINTS_FOLDER);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try {
            Set<String> leftovers = new HashSet<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    int old = name.indexOf(OLD_INFIX);
                    if (name.startsWith(".") && old > 1 && ITERATION.matcher(name.substring(1, old)).matches()) {
                        leftovers.add(name.substring(1, old));
                    } else if (Files.isDirectory(p) && iteration(p).isPresent()) {
                        found.add(p);
                    }
                }
            }
            for (String name : leftovers) {
                Path target = folder.resolve(name);
                if (!Files.exists(target) && recover(target)) {
                    found.add(target);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot list checkpoints in " + folder + ": " + e, e);
        }
        found.sort(Comparator.comparingLong(p -> iteration(p).orElseThrow()));
        return List.copyOf(found);
    }

    /**
     * The newest iteration checkpoint of a run, for auto-resume.
     *
     * @param runDir the run folder
     * @return {@code RUN/checkpoints/iter_<n>} with the largest {@code n}, or empty when the run has none
     */
    public static Optional<Path> latest(Path runDir) {
        List<Path> all = list(runDir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Deletes all but the newest {@code k} iteration checkpoints of a run, and any temporary folder left by an
     * interrupted write. Do not call it while another thread writes a checkpoint of the same run.
     *
     * @param runDir the run folder
     * @param k      how many to keep, at least 1
     * @return the deleted checkpoint folders, oldest first
     * @throws CheckpointException if a folder cannot be deleted
     */
    public static List<Path> keepLast(Path runDir, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("keepLast must keep at least one checkpoint, was " + k);
        }
        List<Path> all = list(runDir);
        List<Path> deleted = new ArrayList<>();
        try {
            for (Path p : all.subList(0, Math.max(0, all.size() - k))) {
                deleteRecursively(p);
                deleted.add(p);
            }
            Path folder = runDir.resolve(CHECKPOINTS_FOLDER);
            if (Files.isDirectory(folder)) {
                try (Stream<Path> entries = Files.list(folder)) {
                    for (Path p : entries.toList()) {
                        String name = p.getFileName().toString();
                        if (name.startsWith(".") && name.contains(TMP_INFIX)) {
                            deleteRecursively(p);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot delete old checkpoints in " + runDir.resolve(CHECKPOINTS_FOLDER)
                    + ": " + e, e);
        }
        return List.copyOf(deleted);
    }

    private static void checkGraph(Graph graph, CheckpointMetadata meta, Path target) {
        java.util.Set<String> extras = new java.util.HashSet<>(meta.extraVariables());
        List<String> model = variableNames(graph).stream().filter(n -> !extras.contains(n)).toList();
        if (model.isEmpty()) {
            throw new CheckpointException("cannot write checkpoint " + target + ": the session's graph holds no model"
                    + " variable (every variable is listed in extraVariables)");
        }
        if (model.stream().allMatch(n -> n.contains("/"))) {
            // restore looks entries up by op name, so a model built in a sub-scope would not come back elsewhere
            throw new CheckpointException("cannot write checkpoint " + target + ": the session's graph has no "
                    + "model variable at its root scope (e.g. '" + model.get(0) + "' is in a sub-scope); build the"
                    + " model in the graph's root scope (GraphBackend.tf()) so that variable names match the"
                    + " checkpoint format");
        }
        for (String extra : meta.extraVariables()) {
            GraphOperation op = graph.operation(extra);
            if (op == null || !op.type().equals("VariableV2")) {
                throw new CheckpointException("cannot write checkpoint " + target + ": extraVariables names '"
                        + extra + "', which is not a VariableV2 of the session's graph");
            }
        }
    }

    /** Moves {@code .<name>.old-*} back to a missing {@code target}; deletes it when {@code target} exists. */
    private static boolean recover(Path target) throws IOException {
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return false;
        }
        String prefix = "." + target.getFileName() + OLD_INFIX;
        boolean recovered = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, p -> p.getFileName().toString()
                .startsWith(prefix))) {
            for (Path aside : entries) {
                if (!recovered && !Files.exists(target) && Files.isRegularFile(aside.resolve(METADATA_FILE))) {
                    atomicMove(aside, target);
                    recovered = true;
                } else {
                    deleteRecursively(aside);
                }
            }
        }
        return recovered;
    }

    private static void recoverQuietly(Path target) {
        try {
            recover(target);
        } catch (IOException e) {
            // Reading must still report the real problem (a missing folder) rather than a failed repair.
        }
    }

    private static void deleteSiblings(Path parent, String name, String infix) throws IOException {
        String prefix = "." + name + infix;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, p -> p.getFileName().toString()
                .startsWith(prefix))) {
            for (Path p : entries) {
                deleteRecursively(p);
            }
        }
    }

    private static String randomSuffix() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    private static String listNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open or sync a directory; the files themselves are already synced.
        }
    }

    /**
     * Deletes a file or folder tree, links themselves rather than what they point to; a path that is already gone
     * (also when something else deletes it meanwhile) is no error.
     *
     * @throws IOException if a file cannot be deleted
     */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            Iterator<Path> it = walk.sorted(Comparator.reverseOrder()).iterator();
            while (it.hasNext()) {
                try {
                    Files.delete(it.next());
                } catch (NoSuchFileException gone) {
                    // Deleted concurrently: the goal is reached.
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void deleteQuietly(Path root) {
        try {
            deleteRecursively(root);
        } catch (IOException e) {
            // A leftover temporary folder is harmless: the next write or keepLast removes it.
        }
    }
}
