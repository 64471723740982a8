package org.dittofs.metadata.lock.host;

import java.time.Duration;

/**
 * What a store swap did.
 *
 * @param duration how long lock traffic was held
 * @param records lock and open records copied into the new store
 */
public record SwapReport(Duration duration, int records) {}
