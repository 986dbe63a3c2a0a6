package org.mseg.hrnet.checkpoint;

final class Placeholder {
    private Placeholder() {
    }
}
