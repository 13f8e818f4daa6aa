#!/usr/bin/env bash
# JMH benchmarks of the per-packet code (src/jmh/java/io/sluice/bench), with allocation per operation (-prof gc:
# gc.alloc.rate.norm is bytes per statement, response or packet stream). Arguments go to JMH; without any, all
# benchmarks run briefly with -prof gc. The build compiles the benchmarks with the tests; only this runs them.
#
#   bench/jmh.sh                                         # all, -prof gc (1 fork, 3 x 1 s warm-up, 5 x 1 s measured)
#   bench/jmh.sh ResponseScanning -prof gc               # one class (a regular expression over benchmark names)
#   bench/jmh.sh -f 3 -wi 5 -i 10 -prof gc               # steadier figures
#   bench/jmh.sh -lp                                     # list the benchmarks and their parameters
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/jmh-classpath.txt \
  -Dmdep.includeScope=test >/dev/null
[ $# -gt 0 ] || set -- -prof gc
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/jmh-classpath.txt)" \
  org.openjdk.jmh.Main "$@"
