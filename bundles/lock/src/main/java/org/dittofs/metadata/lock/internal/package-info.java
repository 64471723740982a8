/**
 * The lock table and the manager that drives it. Private to the lock bundle: never exported, no
 * version.
 */
package org.dittofs.metadata.lock.internal;
