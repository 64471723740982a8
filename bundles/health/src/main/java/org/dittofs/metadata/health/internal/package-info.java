/**
 * Health checks of the lock service and the {@code /health} endpoint. Private: nothing here is
 * exported; the checks are found by the Felix Health Check executor through their service
 * properties, the servlet by the HTTP Whiteboard.
 */
package org.dittofs.metadata.health.internal;
