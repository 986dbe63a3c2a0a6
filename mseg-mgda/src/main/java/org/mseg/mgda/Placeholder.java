package org.mseg.mgda;
final class Placeholder {}
