/**
 * The "Locks" page of the web console. Private: nothing here is exported; the console finds the
 * plugin servlet through its {@code felix.webconsole.*} service properties.
 */
package org.dittofs.metadata.console.internal;
