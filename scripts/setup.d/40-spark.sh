# Spark's extra jars (Iceberg Spark runtime, sqlite-jdbc, Kafka source) from Maven Central, pinned in
# jvm/spark/pom.xml, copied into .deps/spark-jars; engines/spark/spark_session.py puts exactly these
# files on spark.jars. pyspark itself is pinned in requirements.txt (20-python.sh).
if ! step_done spark jvm/spark/pom.xml jvm/maven-settings.xml || [ ! -d "$DEPS/spark-jars" ]; then
  log "resolving Spark's Iceberg/Kafka/SQLite jars from Maven Central (jvm/spark/pom.xml)"
  rm -rf "$DEPS/spark-jars"
  if ! mvn_out=$(mvn -q -B -s jvm/maven-settings.xml -f jvm/spark/pom.xml \
                   dependency:copy-dependencies -DincludeScope=runtime \
                   -DoutputDirectory="$DEPS/spark-jars" 2>&1); then
    printf '%s\n' "$mvn_out" >&2
    die "resolving jvm/spark/pom.xml failed"
  fi
  step_mark spark jvm/spark/pom.xml jvm/maven-settings.xml
fi
