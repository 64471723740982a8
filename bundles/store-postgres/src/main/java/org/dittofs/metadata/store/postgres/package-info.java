/** The PostgreSQL metadata store. Private to its bundle: store bundles export nothing. */
package org.dittofs.metadata.store.postgres;
