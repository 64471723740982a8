/**
 * The JDBC metadata store shared by the H2 and PostgreSQL stores. Not a bundle of its own and never
 * exported: each store bundle embeds this package as a private copy.
 */
package org.dittofs.metadata.store.jdbc;
