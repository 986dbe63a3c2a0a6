package org.mseg.api.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Callbacks of a training run, in the order {@link #onStart}, {@link #onStep} (once per step), {@link #onCheckpoint}
 * (after each checkpoint is written), {@link #onValidation} (once per validated dataset), {@link #onEnd}. Listeners
 * log, draw progress, write TensorBoard files; they never change the training state. All methods default to doing
 * nothing and are called on the training thread; an exception thrown by a listener aborts the run.
 */
public interface TrainingListener {

    /** Called once before the first step, with what the run is going to do. */
    default void onStart(TrainingPlan plan) {
    }

    /** Called after every completed step. */
    default void onStep(StepReport report) {
    }

    /**
     * Called after a checkpoint has been written completely.
     *
     * @param iteration number of completed steps it holds
     * @param directory the checkpoint folder
     */
    default void onCheckpoint(long iteration, Path directory) {
    }

    /**
     * Called after one dataset of the final validation.
     *
     * @param dataset the validated dataset
     * @param mIoU    its mean IoU in [0, 1]
     * @param extras  further metrics by name (e.g. {@code mAcc}, {@code allAcc}); may be empty
     */
    default void onValidation(String dataset, double mIoU, Map<String, Double> extras) {
    }

    /**
     * Called for the first few validation images of each dataset with a picture of the prediction: the image, its
     * ground truth and the prediction side by side.
     *
     * @param dataset the validated dataset
     * @param index   the image's position in the val list
     * @param height  picture rows
     * @param width   picture columns
     * @param rgb     the picture, RGB with 8 bits per channel, row-major ({@code height · width · 3} bytes)
     */
    default void onValidationPicture(String dataset, int index, int height, int width, byte[] rgb) {
    }

    /**
     * Called once when the run stops, normally or not.
     *
     * @param completedIterations steps completed in total (including those before a resume)
     * @param failure             why the run stopped early; {@code null} when it reached its last step
     */
    default void onEnd(long completedIterations, Throwable failure) {
    }
}
