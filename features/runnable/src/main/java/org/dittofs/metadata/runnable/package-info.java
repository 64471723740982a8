/**
 * What the runnable adds to the bundles: default configuration for plain Felix and the main thread
 * of the bnd launcher (interactive shell, demo, scripts). Private: nothing is exported.
 */
package org.dittofs.metadata.runnable;
