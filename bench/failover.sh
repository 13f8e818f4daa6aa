#!/usr/bin/env bash
# The failover drill: clients run autocommit point selects and short transactions in a loop, through Sluice and
# directly at the same time; the database is killed with SIGKILL and restarted. For each side: client
# connections lost (and how many of those were between transactions), failed statements, and the time from the
# database being back to the first successful statement.
#
#   bench/failover.sh                 # 16 clients per side, a 5 s outage
#   bench/failover.sh 32 10           # 32 clients per side, a 10 s outage
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -q -B package -DskipTests
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
"$JAVA_HOME/bin/java" -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dquarkus.log.level=WARN \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.sluice.testing.FailoverDrill "${1:-16}" "${2:-5}" 2>&1 | grep -E '^(Failover|direct|sluice)'
