package org.mseg.datasets;
final class Placeholder {}
