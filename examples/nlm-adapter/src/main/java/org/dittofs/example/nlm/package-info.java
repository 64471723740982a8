/**
 * A minimal NLM-style protocol adapter over the DittoFS lock manager, written against the adapter
 * face alone ({@code org.dittofs.metadata}, {@code org.dittofs.metadata.lock}, {@code
 * org.dittofs.metadata.errors}): how an adapter names owners and clients, maps NLM's offset/length
 * convention, answers TEST, turns a blocking request into a GRANTED callback, cancels, and handles
 * a client reboot. Exported only so that the in-container tests can drive it.
 */
@Export
@Version("0.1.0")
package org.dittofs.example.nlm;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
