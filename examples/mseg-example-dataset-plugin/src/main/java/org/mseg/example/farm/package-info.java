/** The {@code farm-5} example dataset: its layout, split lists and taxonomy. */
package org.mseg.example.farm;
