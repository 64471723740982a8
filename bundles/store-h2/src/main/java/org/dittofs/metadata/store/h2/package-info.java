/**
 * The embedded, file-based H2 metadata store. Private to its bundle: store bundles export nothing.
 */
package org.dittofs.metadata.store.h2;
