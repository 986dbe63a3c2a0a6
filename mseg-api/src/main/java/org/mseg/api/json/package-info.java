/** A small strict JSON reader and writer shared by the modules (checkpoint metadata, CLI outputs, reports). */
package org.mseg.api.json;
