/**
 * Lenient reading of Config Admin configurations, shared by the project's components as source, not
 * as an API: the package is exported by no bundle; the metadata bundle and each store bundle carry
 * their own private copy (the stores through bnd's {@code -includepackage}), so that no store
 * imports anything of the metadata layer but its adapter API and SPI.
 */
package org.dittofs.metadata.config;
