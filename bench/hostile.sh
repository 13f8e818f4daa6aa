#!/usr/bin/env bash
# Hostile load: hostile connections (oversized headers before and after login, slowloris, endless prepares, huge
# rows nobody reads) against the packaged Sluice running with -Xmx256m, while well-behaved clients loop queries.
# Prints the well-behaved clients' queries and errors, Sluice's heap (from its metrics) and resident memory, and
# whether it hit an OutOfMemoryError, survived and still answers. HostileLoadIT asserts the same scenario.
#
#   bench/hostile.sh                 # 200 hostile, 20 well-behaved, 60 s
#   bench/hostile.sh 400 20 120
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -q -B package -DskipTests
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
"$JAVA_HOME/bin/java" -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dquarkus.log.level=WARN \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.sluice.testing.HostileLoad "${1:-200}" "${2:-20}" "${3:-60}" 2>&1 | grep -vE '^(WARN|WARNING|[0-9]{4}-)|^\s+at '
