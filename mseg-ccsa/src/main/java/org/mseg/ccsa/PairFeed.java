package org.mseg.ccsa;

import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The tensors that feed one step's {@link SampledPairs} into a {@link CcsaObjective}'s placeholders. It owns them:
 * close it (try-with-resources) once the step has run.
 */
public final class PairFeed implements AutoCloseable {

    private final CcsaObjective objective;
    private final TInt32 sideA;
    private final TInt32 sideB;
    private final TFloat32 labels;
    private final SampledPairs pairs;

    PairFeed(CcsaObjective objective, SampledPairs pairs) {
        this.objective = objective;
        this.pairs = pairs;
        TInt32 a = TInt32.vectorOf(pairs.sideA());
        TInt32 b = null;
        try {
            b = TInt32.vectorOf(pairs.sideB());
            this.labels = TFloat32.vectorOf(pairs.labels());
        } catch (RuntimeException | Error e) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
        this.sideA = a;
        this.sideB = b;
    }

    /** The pairs these tensors hold. */
    public SampledPairs pairs() {
        return pairs;
    }

    /** Adds the three feeds (side A, side B, labels) to {@code runner} and returns it. */
    public Session.Runner addTo(Session.Runner runner) {
        return runner.feed(objective.sideA(), sideA).feed(objective.sideB(), sideB)
                .feed(objective.pairLabels(), labels);
    }

    /** Releases the tensors' native memory. */
    @Override
    public void close() {
        try {
            sideA.close();
        } finally {
            try {
                sideB.close();
            } finally {
                labels.close();
            }
        }
    }
}
