package org.mseg.ccsa;
final class Placeholder {}
