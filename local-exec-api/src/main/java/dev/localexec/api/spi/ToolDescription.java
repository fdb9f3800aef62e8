package dev.localexec.api.spi;

/**
 * A tool a server offers.
 *
 * @param server the server's name in the configuration
 * @param tool the tool's bare name
 * @param description the server's description of it, or {@code ""}
 * @param inputSchemaJson its input JSON Schema as JSON text, or {@code "{}"}
 */
public record ToolDescription(
    String server, String tool, String description, String inputSchemaJson) {

  /** Validates. */
  public ToolDescription {
    if (server == null || tool == null) {
      throw new IllegalArgumentException("server and tool must not be null");
    }
    description = description == null ? "" : description;
    inputSchemaJson = inputSchemaJson == null ? "{}" : inputSchemaJson;
  }

  /** The full name, {@code server.tool}. */
  public String name() {
    return server + "." + tool;
  }
}
