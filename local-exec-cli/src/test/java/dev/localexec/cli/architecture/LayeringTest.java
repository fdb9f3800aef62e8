package dev.localexec.cli.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The modules' layering, checked on the compiled classes of every module this one depends on (all
 * the library modules): the api needs only the JDK, nothing depends on the command line or the
 * examples, and no module but core reaches into core's internal packages.
 */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.localexec");
  }

  @Test
  void theClassesOfEveryLibraryModuleAreImported() {
    Set<String> packages = new TreeSet<>();
    for (JavaClass c : classes) {
      String[] parts = c.getPackageName().split("\\.");
      packages.add(parts.length > 2 ? parts[2] : c.getPackageName());
    }
    assertThat(packages).contains("api", "core", "tasks", "mcporter", "vllm", "postgres", "cli");
  }

  @Test
  void theApi_dependsOnTheJdkAlone() {
    classes()
        .that()
        .resideInAPackage("dev.localexec.api..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.localexec.api..")
        .check(classes);
  }

  @Test
  void nothing_dependsOnTheCommandLine() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.localexec.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.localexec.cli..")
        .check(classes);
  }

  @Test
  void nothing_dependsOnTheExamples() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.localexec.examples..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.localexec.examples..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void theAdapterAndTaskModules_doNotReachIntoCoreInternals() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.localexec.postgres..",
            "dev.localexec.tasks..",
            "dev.localexec.mcporter..",
            "dev.localexec.vllm..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.localexec.core.internal..")
        .check(classes);
  }

  @Test
  void publishedTypes_exposeNoThirdPartyOrInternalType() {
    assertThat(exposedThirdPartyOrInternalTypes()).isEmpty();
  }

  /** Public members of public types in the api and core, outside internal packages. */
  static List<String> exposedThirdPartyOrInternalTypes() {
    List<String> out = new ArrayList<>();
    for (JavaClass c : classes) {
      String pkg = c.getPackageName();
      boolean published =
          (pkg.startsWith("dev.localexec.api") || pkg.startsWith("dev.localexec.core"))
              && !pkg.contains(".internal");
      if (!published || !c.getModifiers().contains(JavaModifier.PUBLIC)) {
        continue;
      }
      for (JavaCodeUnit u : c.getCodeUnits()) {
        if (!u.getModifiers().contains(JavaModifier.PUBLIC)) {
          continue;
        }
        // Every type a signature names, type arguments included (Optional<X>, List<X>).
        List<JavaClass> types = new ArrayList<>();
        u.getParameterTypes().forEach(t -> types.addAll(t.getAllInvolvedRawTypes()));
        types.addAll(u.getReturnType().getAllInvolvedRawTypes());
        types.addAll(u.getThrowsClause().getTypes());
        for (JavaClass t : types) {
          String problem = problem(t);
          if (problem != null) {
            out.add(u.getFullName() + " " + problem);
          }
        }
      }
      for (JavaField f : c.getFields()) {
        if (f.getModifiers().contains(JavaModifier.PUBLIC)) {
          String problem =
              f.getType().getAllInvolvedRawTypes().stream()
                  .map(LayeringTest::problem)
                  .filter(java.util.Objects::nonNull)
                  .findFirst()
                  .orElse(null);
          if (problem != null) {
            out.add(f.getFullName() + " " + problem);
          }
        }
      }
    }
    return out;
  }

  private static String problem(JavaClass t) {
    JavaClass base = t.isArray() ? t.getBaseComponentType() : t;
    if (base.isPrimitive()) {
      return null;
    }
    String name = base.getName();
    if (name.startsWith("java.")) {
      return null;
    }
    if (name.startsWith("dev.localexec.core.internal.")) {
      return "exposes the internal type " + name;
    }
    if (!name.startsWith("dev.localexec.")) {
      return "exposes the third-party type " + name;
    }
    return null;
  }
}
