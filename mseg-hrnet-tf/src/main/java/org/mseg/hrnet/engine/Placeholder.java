package org.mseg.hrnet.engine;

final class Placeholder {
    private Placeholder() {
    }
}
