#!/usr/bin/env bash
# Builds examples/embedding-project, a separate Maven project that imports local-exec-bom and uses
# local-exec-core and local-exec-tasks with no version of its own, against this checkout: installs
# the project's artifacts into the local Maven repository first, then runs the project's test (one
# job through the library, then close(), then no thread of the plane left).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
./mvnw -B -ntp -q install -DskipTests -DskipITs -Dspotless.check.skip=true \
  -pl local-exec-bom,local-exec-api,local-exec-core,local-exec-tasks -am
./mvnw -B -ntp -f examples/embedding-project/pom.xml verify
