package org.dittofs.metadata.host;

/**
 * How a metadata service that chooses its own store (the OSGi component, which follows its {@code
 * store.target} configuration) stands now, as an operator tool reads it. A snapshot: the selection
 * changes when stores register or go away and when the configuration changes.
 *
 * @param target the {@code store.target} filter in force: the last valid one configured, or null if
 *     no valid filter was ever configured. A malformed filter is refused and never shows here.
 * @param storeServiceId the {@code service.id} of the store in use, or null while no store is in
 *     use (detached, or not started yet)
 * @param waiting true when no registered store matches {@code target} (or there is no target): the
 *     service stays on the store it uses, or detached if none, and moves as soon as a matching
 *     store registers
 */
public record StoreSelection(String target, Long storeServiceId, boolean waiting) {}
