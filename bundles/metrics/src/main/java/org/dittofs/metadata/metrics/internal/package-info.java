/**
 * The Prometheus endpoint of the lock manager. Private: nothing here is exported; the servlet is
 * found by the HTTP Whiteboard through its service properties.
 */
package org.dittofs.metadata.metrics.internal;
