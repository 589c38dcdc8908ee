# The local lakehouse services' jars (scripts/lakehouse), from Maven Central: Iceberg's REST catalog
# reference server (jvm/lakehouse/rest-catalog.pom.xml) and S3Proxy (jvm/lakehouse/s3proxy.pom.xml),
# each into its own folder under .deps/lakehouse/ (they pin different Jetty versions).
for server in rest-catalog s3proxy; do
  pom="jvm/lakehouse/$server.pom.xml"
  if ! step_done "lakehouse-$server" "$pom" || [ ! -d "$DEPS/lakehouse/$server" ]; then
    log "resolving $server from Maven Central ($pom)"
    rm -rf "$DEPS/lakehouse/$server"
    if ! mvn_out=$(mvn -q -B -s jvm/maven-settings.xml -f "$pom" dependency:copy-dependencies \
                     -DoutputDirectory="$DEPS/lakehouse/$server" 2>&1); then
      printf '%s\n' "$mvn_out" >&2
      die "resolving $pom failed"
    fi
    step_mark "lakehouse-$server" "$pom"
  fi
done
