# Flink for the distributed path's Option B: its own venv (.venv-flink) with the pinned apache-flink
# (requirements-flink.txt; PyFlink pins numpy/pandas/pyarrow/py4j versions that would break .venv),
# and the connector jars pinned in jvm/flink/pom.xml (Iceberg with its AWS bundle for S3, Kafka,
# SQLite, Hadoop) copied into .deps/flink-jars.
FLINK_VENV="$ROOT/.venv-flink"
if [ ! -x "$FLINK_VENV/bin/python" ]; then
  log "creating $FLINK_VENV"
  python3 -m venv "$FLINK_VENV"
fi
if ! step_done flink-python requirements-flink.txt; then
  log "installing apache-flink into .venv-flink (requirements-flink.txt)"
  "$FLINK_VENV/bin/pip" install -q --disable-pip-version-check -r requirements-flink.txt
  step_mark flink-python requirements-flink.txt
fi
if ! step_done flink-jars jvm/flink/pom.xml jvm/maven-settings.xml || [ ! -d "$DEPS/flink-jars" ]; then
  log "resolving Flink's Iceberg/AWS/Kafka/SQLite/Hadoop jars from Maven Central (jvm/flink/pom.xml)"
  rm -rf "$DEPS/flink-jars"
  if ! mvn_out=$(mvn -q -B -s jvm/maven-settings.xml -f jvm/flink/pom.xml \
                   dependency:copy-dependencies -DincludeScope=runtime \
                   -DoutputDirectory="$DEPS/flink-jars" 2>&1); then
    printf '%s\n' "$mvn_out" >&2
    die "resolving jvm/flink/pom.xml failed"
  fi
  step_mark flink-jars jvm/flink/pom.xml jvm/maven-settings.xml
fi
