package org.mseg.datasets.metrics;

final class Placeholder {
    private Placeholder() {
    }
}
