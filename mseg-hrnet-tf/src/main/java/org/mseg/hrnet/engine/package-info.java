/** The training engine: graph, optimizer, strategies, loop. */
package org.mseg.hrnet.engine;
