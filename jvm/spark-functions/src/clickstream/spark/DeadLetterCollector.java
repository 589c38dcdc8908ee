package clickstream.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Aggregator;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Gathers a micro-batch's dead letters inside the action that writes its clicks (an aggregate of
 * a DataFrame.observe, engines/spark/click_processor.py), up to a byte budget: past it the rows
 * are dropped and only `overflowed` is kept, so memory stays bounded and the job reads the batch
 * again for its dead letters. Input: one struct (the dead letter, null for a valid click).
 * Rows are keyed by Kafka coordinates, so a task whose result is applied twice adds them once.
 */
public final class DeadLetterCollector extends Aggregator<Row, DeadLetterCollector.Buffer, Row> {
  /** The dead-letter columns (DESIGN.md, website.clicks_dlq), in table order. */
  public static final StructType DEAD_LETTER =
      new StructType()
          .add("topic", DataTypes.StringType)
          .add("partition", DataTypes.IntegerType)
          .add("offset", DataTypes.LongType)
          .add("kafka_timestamp", DataTypes.TimestampType)
          .add("raw", DataTypes.BinaryType)
          .add("error", DataTypes.StringType);

  /** What finish yields: whether the budget was exceeded, and the rows gathered otherwise. */
  public static final StructType GATHERED =
      new StructType()
          .add("overflowed", DataTypes.BooleanType, false)
          .add("dead_letters", DataTypes.createArrayType(DEAD_LETTER));

  private static final long serialVersionUID = 1L;
  private static final StructType INPUT = new StructType().add("dead_letter", DEAD_LETTER);
  // What one row costs beyond its variable-length fields (objects, boxed numbers, map entry).
  private static final long ROW_OVERHEAD_BYTES = 200;

  private final long capBytes;

  /** The rows gathered so far (none once overflowed) and an estimate of their heap bytes. */
  public static final class Buffer implements Serializable {
    private static final long serialVersionUID = 1L;
    LinkedHashMap<String, Row> rows = new LinkedHashMap<>();
    long bytes;
    boolean overflowed;
  }

  public DeadLetterCollector(long capBytes) {
    this.capBytes = capBytes;
  }

  /** The aggregate over `deadLetter` (a DEAD_LETTER struct, null for a valid click). */
  public static Column gather(long capBytes, Column deadLetter) {
    return functions.udaf(new DeadLetterCollector(capBytes), Encoders.row(INPUT)).apply(deadLetter);
  }

  /** The gathered rows of a finished aggregate as a DataFrame of DEAD_LETTER's columns. */
  public static Dataset<Row> toDataFrame(SparkSession spark, Row gathered) {
    List<Row> rows = gathered.isNullAt(1) ? new ArrayList<>() : gathered.getList(1);
    return spark.createDataFrame(rows, DEAD_LETTER);
  }

  @Override
  public Buffer zero() {
    return new Buffer();
  }

  @Override
  public Buffer reduce(Buffer buffer, Row input) {
    if (!input.isNullAt(0) && !buffer.overflowed) {
      add(buffer, input.getStruct(0));
    }
    return buffer;
  }

  @Override
  public Buffer merge(Buffer into, Buffer other) {
    if (other.overflowed) {
      overflow(into);
    }
    for (Row row : other.rows.values()) {
      if (into.overflowed) {
        break;
      }
      add(into, row);
    }
    return into;
  }

  @Override
  public Row finish(Buffer buffer) {
    List<Row> rows = new ArrayList<>(buffer.rows.values());
    return RowFactory.create(buffer.overflowed, CollectionConverters.asScala(rows).toSeq());
  }

  @Override
  public Encoder<Buffer> bufferEncoder() {
    return Encoders.javaSerialization(Buffer.class);
  }

  @Override
  public Encoder<Row> outputEncoder() {
    return Encoders.row(GATHERED);
  }

  private void add(Buffer buffer, Row row) {
    // Null-safe throughout: an aggregate that throws leaves Observation.get waiting for ever.
    String key = row.get(0) + "\u0000" + row.get(1) + "\u0000" + row.get(2);
    if (buffer.rows.putIfAbsent(key, row) != null) {
      return;
    }
    buffer.bytes += ROW_OVERHEAD_BYTES + 2L * key.length();
    buffer.bytes += row.isNullAt(4) ? 0 : ((byte[]) row.get(4)).length;
    buffer.bytes += row.isNullAt(5) ? 0 : 2L * row.getString(5).length();
    if (buffer.bytes > capBytes) {
      overflow(buffer);
    }
  }

  private static void overflow(Buffer buffer) {
    buffer.overflowed = true;
    buffer.rows = new LinkedHashMap<>();
    buffer.bytes = 0;
  }
}
