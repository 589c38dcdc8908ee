# Flink's SQL Client for ./scripts/flink-sql: the SQL gateway jar the apache-flink wheel lacks,
# pinned in jvm/flink-sql-client/pom.xml, copied into .deps/flink-sql-client-jars.
if ! step_done flink-sql-client jvm/flink-sql-client/pom.xml jvm/maven-settings.xml \
    || [ ! -d "$DEPS/flink-sql-client-jars" ]; then
  log "resolving Flink's SQL gateway jar from Maven Central (jvm/flink-sql-client/pom.xml)"
  rm -rf "$DEPS/flink-sql-client-jars"
  if ! mvn_out=$(mvn -q -B -s jvm/maven-settings.xml -f jvm/flink-sql-client/pom.xml \
                   dependency:copy-dependencies -DincludeScope=runtime \
                   -DoutputDirectory="$DEPS/flink-sql-client-jars" 2>&1); then
    printf '%s\n' "$mvn_out" >&2
    die "resolving jvm/flink-sql-client/pom.xml failed"
  fi
  step_mark flink-sql-client jvm/flink-sql-client/pom.xml jvm/maven-settings.xml
fi
