/**
 * The operator commands as Gogo functions, for plain OSGi frameworks with the Felix Gogo shell (the
 * runnable). Not installed in Karaf, whose commands are the actions of {@code
 * org.dittofs.metadata.shell.karaf}. Private.
 */
package org.dittofs.metadata.shell.gogo;
