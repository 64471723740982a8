<?xml version="1.0" encoding="UTF-8"?>
<!--
  Makes the descriptor that karaf-maven-plugin:verify resolves from the published one
  (target/feature/feature.xml). The only differences: this project's own artifacts are taken
  from the reactor instead of a Maven repository, and, while the shell bundle is not built by
  this reactor, the shell feature and the conditional that pulls it in are left out.

  Parameters:
    bundles  file: URL (ending in /) of the directory holding this reactor's bundles as <artifactId>.jar
    cfg      file: URL (ending in /) of src/main/cfg (configuration files attached as .../cfg/<classifier>)
    shell    'true' when the shell bundle is among them
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="bundles"/>
  <xsl:param name="cfg"/>
  <xsl:param name="shell" select="'false'"/>

  <xsl:variable name="project" select="'mvn:org.dittofs/'"/>
  <xsl:variable name="self" select="'mvn:org.dittofs/org.dittofs.metadata.features/'"/>

  <xsl:template match="@*|node()">
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
    </xsl:copy>
  </xsl:template>

  <!-- mvn:org.dittofs/<artifactId>/<version> becomes <bundles>/<artifactId>.jar -->
  <xsl:template match="*[local-name() = 'bundle']/text()[starts-with(normalize-space(.), 'mvn:org.dittofs/')]">
    <xsl:variable name="coordinates" select="substring-after(normalize-space(.), $project)"/>
    <xsl:value-of select="concat($bundles, substring-before($coordinates, '/'), '.jar')"/>
  </xsl:template>

  <!-- mvn:org.dittofs/org.dittofs.metadata.features/<version>/cfg/<classifier> becomes <cfg>/<classifier>.cfg -->
  <xsl:template match="*[local-name() = 'configfile']/text()[starts-with(normalize-space(.), 'mvn:org.dittofs/org.dittofs.metadata.features/')]">
    <xsl:variable name="tail" select="substring-after(substring-after(normalize-space(.), $self), '/cfg/')"/>
    <xsl:value-of select="concat($cfg, $tail, '.cfg')"/>
  </xsl:template>

  <xsl:template match="*[local-name() = 'feature'][@name = 'dittofs-lock-shell']
                       | *[local-name() = 'conditional'][*[local-name() = 'feature'] = 'dittofs-lock-shell']">
    <xsl:if test="$shell = 'true'">
      <xsl:copy>
        <xsl:apply-templates select="@*|node()"/>
      </xsl:copy>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
