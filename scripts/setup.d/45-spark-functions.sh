# The project's own Spark functions (jvm/spark-functions/: the dead-letter aggregate of
# engines/spark/click_processor.py), compiled by the JDK's javac (openjdk-17-jdk-headless,
# debian-packages.txt) against the jars of the pinned pyspark wheel (requirements.txt), into
# .deps/spark-jars/clickstream-spark-functions.jar, which spark_session.py puts on spark.jars.
# After 40-spark.sh: a re-resolved .deps/spark-jars is empty of it, and it is built again.
SPARK_FUNCTIONS_JAR="$DEPS/spark-jars/clickstream-spark-functions.jar"
spark_functions_inputs=(requirements.txt scripts/setup.d/45-spark-functions.sh
                        $(find jvm/spark-functions -name '*.java' | sort))
if ! step_done spark-functions "${spark_functions_inputs[@]}" || [ ! -f "$SPARK_FUNCTIONS_JAR" ]; then
  log "compiling the project's Spark functions (jvm/spark-functions)"
  command -v javac >/dev/null || die "javac not found: install openjdk-17-jdk-headless (debian-packages.txt)"
  pyspark_jars="$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')/jars"
  classes="$DEPS/spark-functions-classes"
  rm -rf "$classes" && mkdir -p "$classes"
  javac --release 17 -Xlint:all,-path -Werror -encoding UTF-8 -cp "$pyspark_jars/*" -d "$classes" \
    $(find jvm/spark-functions -name '*.java' | sort) || die "compiling jvm/spark-functions failed"
  jar --create --file "$SPARK_FUNCTIONS_JAR.tmp" --date=2026-01-01T00:00:00Z -C "$classes" . \
    || die "packing jvm/spark-functions failed"
  mv "$SPARK_FUNCTIONS_JAR.tmp" "$SPARK_FUNCTIONS_JAR"
  rm -rf "$classes"
  step_mark spark-functions "${spark_functions_inputs[@]}"
fi
