/**
 * The operator commands ({@code lock:*}, {@code store:*}) whatever shell runs them: argument
 * parsing, what each command does and prints, and what completion may offer. Private: the Gogo
 * functions of this bundle ({@code .gogo}) call it, and the Karaf shell bundle embeds a private
 * copy of it.
 */
package org.dittofs.metadata.shell;
