package org.mseg.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.mseg.api.MsegException;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * The scalars a training run logged ({@link TensorBoardListener}'s {@code loss}, {@code loss/<dataset>}, {@code lr},
 * {@code val/mIoU/<dataset>}, ...), read back from the run's TensorBoard event files. These files are the only place
 * a run keeps its per-step history ({@code metrics.json} holds the final mIoU only); they are TFRecord-framed
 * {@code Event} protocol buffers, parsed with TensorFlow Java's own {@code org.tensorflow.proto} classes. A record cut
 * short (a run still writing, or killed) ends the file's reading; the CRCs are not checked.
 */
public final class TrainingScalars {
    /** Folder of a run that holds its event files. */
    public static final String TENSORBOARD_FOLDER = "tensorboard";

    /**
     * One logged value.
     *
     * @param step  training iteration
     * @param value the scalar
     */
    public record Point(long step, double value) {
    }

    private TrainingScalars() {
    }

    /**
     * The run folder a checkpoint belongs to: {@code RUN/checkpoints/iter_N} → {@code RUN}, when {@code RUN} has a
     * {@value #TENSORBOARD_FOLDER} folder; empty for a checkpoint outside a run (e.g. imported weights).
     */
    public static Optional<Path> runFolderOf(Path checkpoint) {
        Path abs = checkpoint.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || parent.getParent() == null || !parent.getFileName().toString().equals("checkpoints")) {
            return Optional.empty();
        }
        Path run = parent.getParent();
        return Files.isDirectory(run.resolve(TENSORBOARD_FOLDER)) ? Optional.of(run) : Optional.empty();
    }

    /**
     * Every scalar of a run folder's event files: tag → points sorted by step (a step logged twice keeps the later
     * value), tags in name order.
     *
     * @throws MsegException naming the file when an event file cannot be read
     */
    public static Map<String, List<Point>> read(Path runFolder) {
        Path board = runFolder.resolve(TENSORBOARD_FOLDER);
        Map<String, TreeMap<Long, Double>> byTag = new TreeMap<>();
        if (!Files.isDirectory(board)) {
            return Map.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(board)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new MsegException("cannot list " + board + ": " + e.getMessage(), e);
        }
        for (Path file : files) {
            for (Event e : events(file)) {
                for (Summary.Value v : e.getSummary().getValueList()) {
                    double x;
                    if (v.hasSimpleValue()) {
                        x = v.getSimpleValue();
                    } else if (v.hasTensor() && v.getTensor().getFloatValCount() == 1) {
                        x = v.getTensor().getFloatVal(0);
                    } else if (v.hasTensor() && v.getTensor().getDoubleValCount() == 1) {
                        x = v.getTensor().getDoubleVal(0);
                    } else {
                        continue; // images and other non-scalar summaries
                    }
                    byTag.computeIfAbsent(v.getTag(), t -> new TreeMap<>()).put(e.getStep(), x);
                }
            }
        }
        Map<String, List<Point>> out = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Long, Double>> t : byTag.entrySet()) {
            List<Point> points = new ArrayList<>();
            t.getValue().forEach((step, value) -> points.add(new Point(step, value)));
            out.put(t.getKey(), List.copyOf(points));
        }
        return Collections.unmodifiableMap(out);
    }

    /** TFRecord framing: length (8 bytes LE), its masked CRC (4), the record, its masked CRC (4). */
    static List<Event> events(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new MsegException("cannot read the event file " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> out = new ArrayList<>();
        while (b.remaining() >= 12) {
            long length = b.getLong();
            b.getInt();
            if (length < 0 || length > b.remaining() - 4) {
                break; // a record still being written
            }
            byte[] record = new byte[(int) length];
            b.get(record);
            b.getInt();
            try {
                out.add(Event.parseFrom(record));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new MsegException("the event file " + file + " holds a record that is no TensorFlow Event ("
                        + e.getMessage() + "); is it a TensorBoard events.out.tfevents file?", e);
            }
        }
        return out;
    }
}
