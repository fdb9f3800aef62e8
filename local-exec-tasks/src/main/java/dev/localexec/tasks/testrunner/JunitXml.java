package dev.localexec.tasks.testrunner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads a JUnit XML report (Maven Surefire/Failsafe, Gradle, pytest {@code --junitxml}): a {@code
 * <testsuite>} or {@code <testsuites>} root holding {@code <testcase classname name>} elements,
 * each passed, or with a {@code <failure>}, {@code <error>} or {@code <skipped>} child. A failure
 * is named {@code classname.name} ({@code name} alone without a class) and its message is the
 * {@code message} attribute, else the first line of the element's text. Surefire's {@code
 * flakyFailure}/{@code rerunFailure} children (a test that passed on a rerun) do not count.
 *
 * <p>The parser is streaming (SAX) and locked down: secure processing on, any {@code DOCTYPE}
 * refused (so no entity, external or internal, is ever expanded), no external DTD or schema, no
 * XInclude. Stateless; each call makes its own parser.
 */
final class JunitXml {
  private JunitXml() {}

  /** A report that cannot be read as JUnit XML. */
  static final class UnreadableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The counts of one report file. */
  static TestTally parse(Path file) throws IOException, UnreadableException {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in);
    }
  }

  /** The counts of one report. */
  static TestTally parse(InputStream in) throws IOException, UnreadableException {
    Handler handler = new Handler();
    try {
      SAXParser parser = factory().newSAXParser();
      parser.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      parser.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      parser.parse(new InputSource(in), handler);
    } catch (SAXException | ParserConfigurationException e) {
      throw new UnreadableException(String.valueOf(e.getMessage()), e);
    }
    if (!handler.sawRoot) {
      throw new UnreadableException("the root element is not <testsuite> or <testsuites>", null);
    }
    return handler.tally;
  }

  private static SAXParserFactory factory() throws ParserConfigurationException, SAXException {
    SAXParserFactory f = SAXParserFactory.newInstance();
    f.setNamespaceAware(false);
    f.setValidating(false);
    f.setXIncludeAware(false);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f;
  }

  private static final class Handler extends DefaultHandler {
    final TestTally tally = new TestTally();
    boolean sawRoot;
    private int depth;
    private int caseDepth = -1;
    private String caseName;
    private String outcome;
    private String message;
    private StringBuilder text;

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts)
        throws SAXException {
      depth++;
      if (depth == 1) {
        if (!qName.equals("testsuite") && !qName.equals("testsuites")) {
          throw new SAXException("the root element is <" + qName + ">, not <testsuite>");
        }
        sawRoot = true;
        return;
      }
      if (qName.equals("testcase") && caseDepth < 0) {
        caseDepth = depth;
        String cls = atts.getValue("classname");
        String name = atts.getValue("name");
        name = name == null ? "" : name;
        caseName = cls == null || cls.isBlank() ? name : cls + "." + name;
        outcome = null;
        message = null;
        text = null;
        return;
      }
      if (caseDepth > 0 && depth == caseDepth + 1 && outcome == null) {
        switch (qName) {
          case "failure", "error" -> {
            outcome = qName;
            message = atts.getValue("message");
            if (message == null || message.isBlank()) {
              message = null;
              text = new StringBuilder();
            }
          }
          case "skipped" -> outcome = qName;
          default -> {}
        }
      }
    }

    @Override
    public void characters(char[] ch, int start, int length) {
      if (text != null && text.length() < TestTally.MAX_TEXT * 2) {
        text.append(ch, start, Math.min(length, TestTally.MAX_TEXT * 2));
      }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
      if (text != null && depth == caseDepth + 1) {
        String t = text.toString().strip();
        int nl = t.indexOf('\n');
        message = nl < 0 ? t : t.substring(0, nl).strip();
        text = null;
      }
      if (depth == caseDepth) {
        if (outcome == null) {
          tally.addPassed();
        } else if (outcome.equals("skipped")) {
          tally.addSkipped();
        } else if (outcome.equals("failure")) {
          tally.addFailed(caseName, message);
        } else {
          tally.addErrored(caseName, message);
        }
        caseDepth = -1;
      }
      depth--;
    }
  }
}
