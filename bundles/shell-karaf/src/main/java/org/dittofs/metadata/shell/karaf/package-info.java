/**
 * The operator commands as Karaf shell commands: one action per command ({@code @Command},
 * {@code @Argument}, {@code @Option}), completers for owners, files, offsets, lengths, lock types,
 * flavours, store types and names, with descriptions. Karaf answers {@code --help} and {@code help
 * <command>} from the annotations without running the action. Each action hands the words to the
 * shared logic ({@code org.dittofs.metadata.shell}, a private copy in this bundle), so the Gogo
 * functions of the runnable and these commands accept and refuse the same arguments. Found by
 * Karaf's shell through the {@code Karaf-Commands} manifest header. Private.
 */
package org.dittofs.metadata.shell.karaf;
