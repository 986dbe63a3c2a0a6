package org.mseg.api.config;

final class Placeholder {
    private Placeholder() {
    }
}
