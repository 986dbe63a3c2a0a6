/**
 * Contract checks for the engine's plugins: a model provider's ({@code ModelProviderContract}) and a training
 * strategy's ({@code StrategyContract}), run by a plugin's own tests. Failures are {@link AssertionError}s that name
 * the provider and what it broke, so any test framework reports them.
 */
package org.mseg.engine.testkit;
