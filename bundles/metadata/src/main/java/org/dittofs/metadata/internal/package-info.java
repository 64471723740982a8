/** The metadata service's implementation. Private: never exported, no version. */
package org.dittofs.metadata.internal;
