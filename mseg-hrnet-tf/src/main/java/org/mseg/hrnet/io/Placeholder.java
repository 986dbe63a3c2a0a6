package org.mseg.hrnet.io;
final class Placeholder {}
