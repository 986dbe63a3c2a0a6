package org.mseg.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mseg.api.train.StepReport;
import org.mseg.api.train.TrainingListener;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.op.summary.WriteImageSummary;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Writes TensorBoard event files ({@code events.out.tfevents.*.v2}) into a folder: per step {@code loss},
 * {@code loss/<dataset>}, {@code lr}, {@code crops_per_s}, {@code data_wait} and the strategy's extras; after
 * validation {@code val/mIoU/<dataset>} and, as images, {@code val/<dataset>/<index>} (image | ground truth |
 * prediction). Uses its own small graph and session, apart from the training graph. Close
 * it (or let {@link #onEnd} run) to flush and release it.
 */
public final class TensorBoardListener implements TrainingListener, AutoCloseable {

    private final Graph graph;
    private final Session session;
    private final Placeholder<TInt64> step;
    private final Placeholder<TString> tag;
    private final Placeholder<TFloat32> value;
    private final Op write;
    private final Placeholder<TUint8> image;
    private final Op writeImage;
    private final Op flush;
    private final Op closeWriter;
    private long lastStep;
    private boolean closed;

    /** Opens a writer on {@code folder} (created if missing). */
    public TensorBoardListener(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the TensorBoard folder " + folder, e);
        }
        graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            SummaryWriter writer = tf.summary.summaryWriter(SummaryWriter.sharedName("mseg_train"));
            step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
            tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
            value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            Op create = tf.summary.createSummaryFileWriter(writer, tf.constant(folder.toAbsolutePath().toString()),
                    tf.constant(10), tf.constant(5000), tf.constant(".v2"));
            write = tf.summary.writeScalarSummary(writer, step, tag, value);
            image = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(1, -1, -1, 3)));
            writeImage = tf.summary.writeImageSummary(writer, step, tag, image,
                    tf.dtypes.cast(tf.constant(new int[] {255, 0, 0}), TUint8.class),
                    WriteImageSummary.maxImages(1L));
            flush = tf.summary.flushSummaryWriter(writer);
            closeWriter = tf.summary.closeSummaryWriter(writer);
            session = new Session(graph);
            session.run(create);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** Writes one scalar. */
    public void scalar(String name, long atStep, double v) {
        try (TInt64 s = TInt64.scalarOf(atStep); TString t = TString.scalarOf(name);
                TFloat32 x = TFloat32.scalarOf((float) v)) {
            // Nothing is fetched, but the Result still holds native memory.
            session.runner().feed(step, s).feed(tag, t).feed(value, x).addTarget(write).run().close();
        }
    }

    /** Writes one RGB picture ({@code height · width · 3} bytes, row-major) as an image summary. */
    public void picture(String name, long atStep, int height, int width, byte[] rgb) {
        if (rgb.length != height * width * 3) {
            throw new IllegalArgumentException("a " + height + " × " + width + " RGB picture has " + height * width * 3
                    + " bytes, got " + rgb.length);
        }
        try (TInt64 s = TInt64.scalarOf(atStep); TString t = TString.scalarOf(name);
                TUint8 x = TUint8.tensorOf(Shape.of(1, height, width, 3), DataBuffers.of(rgb, true, false))) {
            session.runner().feed(step, s).feed(tag, t).feed(image, x).addTarget(writeImage).run().close();
        }
    }

    @Override
    public void onValidationPicture(String dataset, int index, int height, int width, byte[] rgb) {
        picture("val/" + dataset + "/" + index, lastStep, height, width, rgb);
    }

    @Override
    public void onStep(StepReport r) {
        long i = r.iteration();
        lastStep = i;
        scalar("loss", i, r.loss());
        for (Map.Entry<String, Double> e : r.datasetLosses().entrySet()) {
            scalar("loss/" + e.getKey(), i, e.getValue());
        }
        scalar("lr", i, r.learningRate());
        scalar("crops_per_s", i, r.cropsPerSecond());
        scalar("data_wait", i, r.dataWaitFraction());
        for (Map.Entry<String, Double> e : r.extras().entrySet()) {
            scalar(e.getKey(), i, e.getValue());
        }
    }

    @Override
    public void onValidation(String dataset, double mIoU, Map<String, Double> extras) {
        scalar("val/mIoU/" + dataset, lastStep, mIoU);
        session.run(flush);
    }

    @Override
    public void onEnd(long completedIterations, Throwable failure) {
        session.run(flush);
    }

    /** Flushes and closes the event file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.run(closeWriter);
        } finally {
            session.close();
            graph.close();
        }
    }
}
