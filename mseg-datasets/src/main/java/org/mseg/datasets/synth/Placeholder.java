package org.mseg.datasets.synth;

final class Placeholder {
    private Placeholder() {
    }
}
