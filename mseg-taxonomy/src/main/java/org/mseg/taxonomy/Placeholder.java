package org.mseg.taxonomy;
final class Placeholder {}
