package org.mseg.hrnet;
final class Placeholder {}
