# Sourced by ./mvnw before it starts Maven: Maven must run on a JDK at least as new as the project's
# <maven.compiler.release> (Quarkus builds the application inside Maven's own JVM). When JAVA_HOME, or the java on
# the PATH, is older, this looks for a newer JDK where JDKs are usually installed, uses it and says so on stderr;
# when there is none it stops at once, with one sentence saying what to install. mvnw.cmd (Windows) does not run it:
# there the enforcer plugin stops an older JDK with the same advice.
# POSIX sh, and mvnw runs with `set -euf`: globbing is switched on only where it is needed.

sluice_jdk_feature() { # $1: a JDK's home. Prints its feature version (17, 25, ...), or nothing if it is no JDK.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  _sluice_v=""
  if [ -r "$1/release" ]; then
    _sluice_v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")"
  fi
  if [ -z "$_sluice_v" ]; then
    _sluice_v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')"
  fi
  printf %s "$_sluice_v"
}

sluice_select_jdk() {
  _sluice_pom="$(dirname "$0")/pom.xml"
  _sluice_needed="$(sed -n 's:.*<maven\.compiler\.release>\([0-9]*\)</maven\.compiler\.release>.*:\1:p' "$_sluice_pom" | head -n 1)"
  [ -n "$_sluice_needed" ] || return 0

  # The JDK mvnw would use: JAVA_HOME, else the one the java on the PATH belongs to.
  _sluice_home="${JAVA_HOME-}"
  if [ -z "$_sluice_home" ] && _sluice_java="$(command -v java)"; then
    _sluice_java="$(readlink -f "$_sluice_java" 2>/dev/null || printf %s "$_sluice_java")"
    _sluice_home="$(dirname "$(dirname "$_sluice_java")")"
  fi
  _sluice_have=""
  [ -z "$_sluice_home" ] || _sluice_have="$(sluice_jdk_feature "$_sluice_home")"
  if [ -n "$_sluice_have" ] && [ "$_sluice_have" -ge "$_sluice_needed" ]; then
    sluice_quiet_unsafe_warnings "$_sluice_have"
    return 0
  fi

  # The oldest JDK that is new enough, among the usual places (package managers, SDKMAN!, IDEs, macOS, CI runners).
  _sluice_best="" _sluice_best_v="" _sluice_user_home="${HOME:-/nonexistent}"
  set +f
  for _sluice_dir in $(env | sed -n 's/^JAVA_HOME_[0-9][0-9]*_[A-Z0-9]*=//p') \
    /usr/lib/jvm/* /usr/java/* /usr/local/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
    "$_sluice_user_home"/.sdkman/candidates/java/* "$_sluice_user_home"/.jdks/* "$_sluice_user_home"/.asdf/installs/java/* \
    "$_sluice_user_home"/.local/share/mise/installs/java/* "$_sluice_user_home"/.m2/jdks/* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home "$_sluice_user_home"/Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$_sluice_dir" ] || continue
    _sluice_v="$(sluice_jdk_feature "$_sluice_dir")"
    [ -n "$_sluice_v" ] && [ "$_sluice_v" -ge "$_sluice_needed" ] || continue
    if [ -z "$_sluice_best" ] || [ "$_sluice_v" -lt "$_sluice_best_v" ]; then
      _sluice_best="$_sluice_dir" _sluice_best_v="$_sluice_v"
    fi
  done
  set -f

  if [ -n "${JAVA_HOME-}" ]; then _sluice_was="JAVA_HOME"; else _sluice_was="the java on the PATH"; fi
  if [ -n "$_sluice_have" ]; then
    _sluice_was="$_sluice_was is Java $_sluice_have ($_sluice_home)"
  elif [ -n "$_sluice_home" ]; then
    _sluice_was="$_sluice_was ($_sluice_home) is no JDK"
  else
    _sluice_was="no java is on the PATH"
  fi
  if [ -z "$_sluice_best" ]; then
    printf '%s\n' "Sluice needs a JDK $_sluice_needed or newer to build and run, $_sluice_was and no newer JDK is installed: install a JDK $_sluice_needed (for example Eclipse Temurin $_sluice_needed from https://adoptium.net/ or your package manager), then run ./mvnw again or point JAVA_HOME at it." >&2
    exit 1
  fi
  printf '%s\n' "mvnw: Sluice needs a JDK $_sluice_needed or newer and $_sluice_was; using the JDK $_sluice_best_v at $_sluice_best (set JAVA_HOME to choose another)." >&2
  JAVA_HOME="$_sluice_best"
  export JAVA_HOME
  sluice_quiet_unsafe_warnings "$_sluice_best_v"
}

# Maven 3.9's Guice calls sun.misc.Unsafe, which JDK 24+ warns about on every run; the option that allows it quietly
# exists from JDK 23 on and older JVMs refuse to start with it (so it cannot live in .mvn/jvm.config).
sluice_quiet_unsafe_warnings() {
  if [ "$1" -ge 23 ]; then
    MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow${MAVEN_OPTS:+ $MAVEN_OPTS}"
    export MAVEN_OPTS
  fi
}

sluice_select_jdk
