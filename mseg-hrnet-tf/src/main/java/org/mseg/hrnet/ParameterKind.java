package org.mseg.hrnet;

/** What a model tensor is, in PyTorch terms; decides its layout, initialisation and whether it is trained. */
public enum ParameterKind {
    /** {@code nn.Conv2d.weight}: PyTorch OIHW, TensorFlow HWIO; trained. */
    CONV_WEIGHT(true),
    /** {@code nn.Conv2d.bias} (head convolutions only); trained. */
    CONV_BIAS(true),
    /** {@code BatchNorm2d.weight}, TensorFlow's gamma (scale); trained. */
    BN_WEIGHT(true),
    /** {@code BatchNorm2d.bias}, TensorFlow's beta (offset); trained. */
    BN_BIAS(true),
    /** {@code BatchNorm2d.running_mean}; updated by the running-statistics ops, not by the optimizer. */
    BN_RUNNING_MEAN(false),
    /** {@code BatchNorm2d.running_var} (unbiased, as in PyTorch); updated by the running-statistics ops. */
    BN_RUNNING_VAR(false);

    private final boolean trainable;

    ParameterKind(boolean trainable) {
        this.trainable = trainable;
    }

    /** Whether the optimizer updates tensors of this kind. */
    public boolean trainable() {
        return trainable;
    }
}
