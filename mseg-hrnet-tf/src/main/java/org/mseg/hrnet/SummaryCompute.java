package org.mseg.hrnet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@link NetworkWalker.Compute} over spatial sizes only: produces the {@link LayerRow}s of {@link Hrnet#summary}. */
final class SummaryCompute implements NetworkWalker.Compute<SummaryCompute.Dims> {

    /** Output size of a layer (no batch dimension). */
    record Dims(int height, int width, int channels) {
    }

    private final Collection<HrnetParameter> parameters;
    private final List<LayerRow> rows = new ArrayList<>();

    private SummaryCompute(Collection<HrnetParameter> parameters) {
        this.parameters = parameters;
    }

    static List<LayerRow> rows(Modules.Network network, Collection<HrnetParameter> parameters, int height,
            int width) {
        SummaryCompute compute = new SummaryCompute(parameters);
        NetworkWalker.run(network, new Dims(height, width, 3), height, width, compute);
        return List.copyOf(compute.rows);
    }

    @Override
    public Dims conv(Dims x, Modules.Conv conv) {
        if (x.channels() != conv.in()) {
            throw new IllegalStateException(conv.key() + " expects " + conv.in() + " channels, got " + x.channels());
        }
        int pad = (conv.kernel() - 1) / 2;
        return new Dims(outputSize(x.height(), conv.kernel(), conv.stride(), pad),
                outputSize(x.width(), conv.kernel(), conv.stride(), pad), conv.out());
    }

    private static int outputSize(int in, int kernel, int stride, int pad) {
        return (in + 2 * pad - kernel) / stride + 1;
    }

    @Override
    public Dims batchNorm(Dims x, Modules.BatchNorm bn) {
        return x;
    }

    @Override
    public Dims relu(Dims x) {
        return x;
    }

    @Override
    public Dims add(Dims a, Dims b) {
        if (!a.equals(b)) {
            throw new IllegalStateException("cannot add " + a + " and " + b);
        }
        return a;
    }

    @Override
    public Dims resizeHalfPixel(Dims x, Dims like) {
        return new Dims(like.height(), like.width(), x.channels());
    }

    @Override
    public Dims concat(List<Dims> xs) {
        int channels = xs.stream().mapToInt(Dims::channels).sum();
        return new Dims(xs.get(0).height(), xs.get(0).width(), channels);
    }

    @Override
    public Dims resizeAlignCorners(Dims x, int height, int width) {
        return new Dims(height, width, x.channels());
    }

    @Override
    public void block(String name, String kind, Dims output) {
        String prefix = name + ".";
        long params = 0;
        for (HrnetParameter p : parameters) {
            if (p.trainable() && p.torchKey().startsWith(prefix)) {
                params += p.size();
            }
        }
        rows.add(new LayerRow(name, kind, output.height(), output.width(), output.channels(), params));
    }
}
