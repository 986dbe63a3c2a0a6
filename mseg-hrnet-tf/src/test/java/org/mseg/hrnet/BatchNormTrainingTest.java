package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mseg.api.testkit.FloatComparisons.FLOAT32_UNIT_ROUNDOFF;
import static org.mseg.api.testkit.FloatComparisons.gamma;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * The running statistics after one training step must equal PyTorch's update, computed here by hand:
 * {@code running = 0.99·running + 0.01·batch} with the unbiased batch variance.
 */
class BatchNormTrainingTest {

    private static final int N = 2;
    private static final int SIZE = 9;

    @Test
    void oneTrainingStepUpdatesRunningStatisticsLikePytorch() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 5, 3L);
            HrnetForward train = model.forward("train", N, SIZE, SIZE, BatchNormMode.TRAINING);
            HrnetForward eval = model.forward("eval", N, SIZE, SIZE, BatchNormMode.INFERENCE);
            Map<String, TorchTensor> dict = Tensors.randomStateDict(model, 5L);
            float[] x = Tensors.random(new Random(9), N * SIZE * SIZE * 3, 1f);
            try (Session s = new Session(g)) {
                StateDictLoader.load(s, model, dict).requireComplete();
                float[] representation;
                try (TFloat32 in = Tensors.tensor(train.input().shape(), x);
                        Result r = s.runner().feed(train.input(), in).fetch(train.representation())
                                .addTarget(train.runningStatUpdate().orElseThrow()).run()) {
                    representation = Tensors.read((TFloat32) r.get(0));
                }

                // bn1 normalises conv1 (3x3, stride 2, pad 1, no bias) of the input
                int out = (SIZE - 1) / 2 + 1;
                float[] conv1 = conv3x3Stride2(x, dict.get("conv1.weight"), out);
                // Σ|x·w| of every output: what TensorFlow's float32 convolution rounds relative to
                float[] conv1Magnitudes = conv3x3Stride2(abs(x), abs(dict.get("conv1.weight")), out);
                checkUpdate(s, model, dict, "bn1", conv1, conv1Magnitudes, 3 * 3 * 3, 16);

                // last_layer.1 normalises last_layer.0 (1x1 conv with bias) of the representation
                float[] head = conv1x1(representation, dict.get("last_layer.0.weight").data(),
                        dict.get("last_layer.0.bias").data(), 120, 120);
                float[] headMagnitudes = conv1x1(abs(representation), abs(dict.get("last_layer.0.weight").data()),
                        abs(dict.get("last_layer.0.bias").data()), 120, 120);
                checkUpdate(s, model, dict, "last_layer.1", head, headMagnitudes, 120 + 1, 120);

                // an inference pass leaves the statistics alone
                float[] before = Tensors.fetch(s, model.variablesByTorchKey().get("bn1.running_var"));
                try (TFloat32 in = Tensors.tensor(eval.input().shape(), x);
                        Result r = s.runner().feed(eval.input(), in).fetch(eval.logits()).run()) {
                    assertEquals(N * SIZE * SIZE * 5, r.get(0).size());
                }
                assertArrayEquals(before, Tensors.fetch(s, model.variablesByTorchKey().get("bn1.running_var")));
            }
        }
    }

    /**
     * Compares the running statistics with PyTorch's update of a Java recomputation from the same float32 inputs.
     * The tolerance is derived per channel: TensorFlow's convolution may round each activation {@code a} by up to
     * {@code δ = γ_{K+1}·Σ|x·w|} ({@code K} products; the Java side rounds its double result to float once more);
     * the batch mean and variance over {@code n} activations, in whatever order and form (two-pass or
     * {@code E[a²] − E[a]²}), add {@code γ_{n+4}} relative to {@code E[a²]}, and a variance inherits
     * {@code 2·max|a−μ|·2δ} from the activations' error (the mean's included); the running update
     * {@code 0.99·old + 0.01·stat} scales that by 0.01 and adds {@code γ_3} of its terms.
     *
     * @param magnitudes {@code Σ|x·w|} (plus |bias|) of every activation
     * @param terms      products per activation, {@code K}
     */
    private static void checkUpdate(Session s, Hrnet model, Map<String, TorchTensor> dict, String bn,
            float[] activations, float[] magnitudes, int terms, int channels) {
        int count = activations.length / channels;
        float[] oldMean = dict.get(bn + ".running_mean").data();
        float[] oldVar = dict.get(bn + ".running_var").data();
        float[] newMean = Tensors.fetch(s, model.variablesByTorchKey().get(bn + ".running_mean"));
        float[] newVar = Tensors.fetch(s, model.variablesByTorchKey().get(bn + ".running_var"));
        double u = FLOAT32_UNIT_ROUNDOFF;
        double largestBiasGap = 0;
        double largestTolerance = 0;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            double sumSquares = 0;
            double activationError = 0;
            for (int i = 0; i < count; i++) {
                double a = activations[i * channels + c];
                sum += a;
                sumSquares += a * a;
                activationError = Math.max(activationError, gamma(terms + 1, u) * magnitudes[i * channels + c]);
            }
            double mean = sum / count;
            double sq = 0;
            double spread = 0;
            for (int i = 0; i < count; i++) {
                double d = activations[i * channels + c] - mean;
                sq += d * d;
                spread = Math.max(spread, Math.abs(d));
            }
            double unbiased = sq / (count - 1);
            double biased = sq / count;
            double meanError = activationError + gamma(count + 1, u) * Math.sqrt(sumSquares / count);
            double varError = 2 * spread * 2 * activationError + gamma(count + 4, u) * sumSquares / (count - 1);
            double expectedMean = 0.99 * oldMean[c] + 0.01 * mean;
            double expectedVar = 0.99 * oldVar[c] + 0.01 * unbiased;
            double meanTolerance = 0.01 * meanError + gamma(3, u) * (0.99 * Math.abs(oldMean[c]) + 0.01 * Math.abs(mean));
            double varTolerance = 0.01 * varError + gamma(3, u) * (0.99 * oldVar[c] + 0.01 * unbiased);
            assertEquals(expectedMean, newMean[c], meanTolerance, bn + " running_mean[" + c + "]");
            assertEquals(expectedVar, newVar[c], varTolerance, bn + " running_var[" + c + "]");
            largestBiasGap = Math.max(largestBiasGap, 0.01 * (unbiased - biased));
            largestTolerance = Math.max(largestTolerance, varTolerance);
        }
        // the test must be able to tell the unbiased update from the biased one
        assertTrue(largestBiasGap > 10 * largestTolerance, bn + ": biased/unbiased gap only " + largestBiasGap
                + ", tolerance up to " + largestTolerance);
    }

    private static float[] abs(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.abs(x[i]);
        }
        return out;
    }

    private static TorchTensor abs(TorchTensor t) {
        return new TorchTensor(t.shape(), abs(t.data()), t.dtype());
    }

    /** NHWC input, OIHW weights, PyTorch padding 1 on every side. */
    private static float[] conv3x3Stride2(float[] x, TorchTensor w, int out) {
        int co = (int) w.shape()[0];
        int ci = (int) w.shape()[1];
        float[] y = new float[N * out * out * co];
        for (int n = 0; n < N; n++) {
            for (int oy = 0; oy < out; oy++) {
                for (int ox = 0; ox < out; ox++) {
                    for (int o = 0; o < co; o++) {
                        double acc = 0;
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = 2 * oy + ky - 1;
                                int ix = 2 * ox + kx - 1;
                                if (iy < 0 || ix < 0 || iy >= SIZE || ix >= SIZE) {
                                    continue;
                                }
                                for (int i = 0; i < ci; i++) {
                                    acc += x[((n * SIZE + iy) * SIZE + ix) * ci + i]
                                            * w.data()[((o * ci + i) * 3 + ky) * 3 + kx];
                                }
                            }
                        }
                        y[((n * out + oy) * out + ox) * co + o] = (float) acc;
                    }
                }
            }
        }
        return y;
    }

    private static float[] conv1x1(float[] x, float[] w, float[] b, int ci, int co) {
        int pixels = x.length / ci;
        float[] y = new float[pixels * co];
        for (int p = 0; p < pixels; p++) {
            for (int o = 0; o < co; o++) {
                double acc = b[o];
                for (int i = 0; i < ci; i++) {
                    acc += x[p * ci + i] * w[o * ci + i];
                }
                y[p * co + o] = (float) acc;
            }
        }
        return y;
    }
}
