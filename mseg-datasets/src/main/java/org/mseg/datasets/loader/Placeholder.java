package org.mseg.datasets.loader;

final class Placeholder {
    private Placeholder() {
    }
}
