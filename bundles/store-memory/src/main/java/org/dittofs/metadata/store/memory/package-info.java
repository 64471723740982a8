/** The in-memory metadata store. Private to its bundle: store bundles export nothing. */
package org.dittofs.metadata.store.memory;
