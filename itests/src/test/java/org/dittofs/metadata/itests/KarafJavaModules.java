package org.dittofs.metadata.itests;

import static org.ops4j.pax.exam.CoreOptions.vmOptions;

import java.io.File;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.extra.VMOption;

/**
 * The JVM options Karaf's own {@code bin/karaf} passes on Java 9 and later (module reads, exports
 * and opens, the two patched modules from {@code lib/endorsed}, and its class path). Without them
 * the tests pass but Karaf logs errors. Runs in the test-runner JVM.
 */
final class KarafJavaModules {
  private KarafJavaModules() {}

  /** The options for Karaf {@code karafVersion}; paths are relative to the Karaf home. */
  static Option options(String karafVersion) {
    String endorsed = "lib/endorsed/org.apache.karaf.specs.";
    return vmOptions(
        new VMOption("--add-reads=java.xml=java.logging"),
        new VMOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
        new VMOption("--patch-module"),
        new VMOption("java.base=" + endorsed + "locator-" + karafVersion + ".jar"),
        new VMOption("--patch-module"),
        new VMOption("java.xml=" + endorsed + "java.xml-" + karafVersion + ".jar"),
        new VMOption("--add-opens"),
        new VMOption("java.base/java.security=ALL-UNNAMED"),
        new VMOption("--add-opens"),
        new VMOption("java.base/java.net=ALL-UNNAMED"),
        new VMOption("--add-opens"),
        new VMOption("java.base/java.lang=ALL-UNNAMED"),
        new VMOption("--add-opens"),
        new VMOption("java.base/java.util=ALL-UNNAMED"),
        new VMOption("--add-opens"),
        new VMOption("java.naming/javax.naming.spi=ALL-UNNAMED"),
        new VMOption("--add-opens"),
        new VMOption("java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED"),
        new VMOption("--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED"),
        new VMOption("--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED"),
        new VMOption("--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED"),
        new VMOption("--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED"),
        new VMOption("--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED"),
        new VMOption("--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED"),
        new VMOption("--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED"),
        new VMOption("--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED"),
        new VMOption("--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED"),
        new VMOption("--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED"),
        new VMOption("--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED"),
        // Pax Exam drops its own class path only when it sees exactly "-classpath"
        new VMOption("-classpath"),
        new VMOption("lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"));
  }
}
