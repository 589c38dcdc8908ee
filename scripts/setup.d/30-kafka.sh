# The Kafka broker's jars (and Kafka's producer perf tool) from Maven Central, pinned in
# jvm/kafka/pom.xml, copied into .deps/kafka/lib for scripts/kafka and bench/.
if ! step_done kafka jvm/kafka/pom.xml || [ ! -d "$DEPS/kafka/lib" ]; then
  log "resolving the Kafka broker from Maven Central (jvm/kafka/pom.xml)"
  rm -rf "$DEPS/kafka/lib"
  if ! mvn_out=$(mvn -q -B -f jvm/kafka/pom.xml dependency:copy-dependencies \
                   -DoutputDirectory="$DEPS/kafka/lib" 2>&1); then
    printf '%s\n' "$mvn_out" >&2
    die "resolving jvm/kafka/pom.xml failed"
  fi
  step_mark kafka jvm/kafka/pom.xml
fi
