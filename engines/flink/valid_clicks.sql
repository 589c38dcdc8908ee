-- valid_clicks: the rows of kafka_clicks (kafka_source.sql) that follow the event contract
-- (DESIGN.md), with event_ts as click_timestamp TIMESTAMP_LTZ(6); the others are dropped. The
-- session time zone is UTC (catalog.sql); ${event_time_zone} is the IANA zone of zone-less times.
-- The same cases drive this view's test and the C++ and Spark parsers' (tests/cases/event_ts_cases.json).
--   text: YYYY-MM-DD, `T` or space, HH:MM:SS, 0-9 fractional digits (truncated to microseconds),
--         then `Z`, +HH:MM, +HHMM, +HH (or -) or no zone. An impossible date (Feb 30) is caught by
--         the round trip through DATE_FORMAT, because Flink's cast would move it to Feb 28.
--   number: epoch seconds below 1e11 (fraction allowed), milliseconds below 1e14, microseconds
--         above; a fraction rounds to the nearest microsecond as FLOOR(x + 0.5).
--   Years 1..9999 only.
CREATE TEMPORARY VIEW valid_clicks AS
SELECT user_id, page, CAST(utc_ts AS TIMESTAMP_LTZ(6)) AS click_timestamp
FROM (
  SELECT user_id, page,
    CASE WHEN is_text THEN
      CASE WHEN zone = '' THEN
        TRY_CAST(CONCAT(DATE_FORMAT(
          CASE WHEN earlier_offset = TIMESTAMPDIFF(SECOND, earlier, TO_TIMESTAMP(CONVERT_TZ(
                      DATE_FORMAT(earlier, 'yyyy-MM-dd HH:mm:ss'), 'UTC', '${event_time_zone}')))
                    AND earlier < legacy THEN earlier
               ELSE legacy END, 'yyyy-MM-dd HH:mm:ss'), '.', fraction6) AS TIMESTAMP(6))
      ELSE TIMESTAMPADD(MINUTE, -offset_minutes, local_ts) END
    -- (checked before the formatting, whose year-of-era would print year -249 as 0250)
    WHEN epoch_micros BETWEEN -62135596800000000 AND 253402300799999999 THEN
      TRY_CAST(CONCAT(DATE_FORMAT(TIMESTAMPADD(SECOND, CAST((epoch_rem / 1000000) AS INT),
                                  TIMESTAMPADD(DAY, CAST(epoch_days AS INT), TIMESTAMP '1970-01-01 00:00:00')),
                                  'yyyy-MM-dd HH:mm:ss'),
                      '.', LPAD(CAST(MOD(epoch_rem, 1000000) AS STRING), 6, '0')) AS TIMESTAMP(6))
    END AS utc_ts,
    is_text, local_ts, date_text
  FROM (
    SELECT *,
      -- A repeated wall time (clocks set back) has two instants: CONVERT_TZ (java.util rules)
      -- gives the later one, java.time (Spark, the C++ CCTZ lookup) the earlier one. `earlier` is
      -- the wall time at the offset of a day before; it is the answer when that offset holds there.
      TIMESTAMPADD(SECOND, -earlier_offset, TO_TIMESTAMP(wall)) AS earlier
    FROM (
    SELECT *,
      CASE WHEN is_text AND zone = '' THEN TIMESTAMPDIFF(SECOND, probe, TO_TIMESTAMP(CONVERT_TZ(
        DATE_FORMAT(probe, 'yyyy-MM-dd HH:mm:ss'), 'UTC', '${event_time_zone}'))) END AS earlier_offset
    FROM (
    SELECT *,
      TIMESTAMPADD(DAY, -1, legacy) AS probe
    FROM (
    SELECT *,
      CASE WHEN is_text AND zone = '' THEN TO_TIMESTAMP(CONVERT_TZ(wall, '${event_time_zone}', 'UTC')) END AS legacy,
      -- floor division of the epoch microseconds into days and the microseconds of that day
      (epoch_micros - MOD(MOD(epoch_micros, 86400000000) + 86400000000, 86400000000)) / 86400000000 AS epoch_days,
      MOD(MOD(epoch_micros, 86400000000) + 86400000000, 86400000000) AS epoch_rem
    FROM (
      SELECT *,
        CONCAT(date_text, ' ', SUBSTRING(event_ts FROM 12 FOR 8)) AS wall,
        CASE WHEN is_text THEN TRY_CAST(CONCAT(date_text, ' ', SUBSTRING(event_ts FROM 12 FOR 8), '.', fraction6) AS TIMESTAMP(6)) END AS local_ts,
        CASE WHEN NOT is_text OR zone IN ('', 'Z') THEN 0
             ELSE (CASE WHEN SUBSTRING(zone FROM 1 FOR 1) = '-' THEN -1 ELSE 1 END)
                  * (TRY_CAST(SUBSTRING(zone_digits FROM 1 FOR 2) AS INT) * 60
                     + COALESCE(TRY_CAST(SUBSTRING(zone_digits FROM 3 FOR 2) AS INT), 0))
        END AS offset_minutes,
        CASE WHEN is_int AND epoch_int > -100000000000 AND epoch_int < 100000000000 THEN epoch_int * 1000000
             WHEN is_int AND epoch_int > -100000000000000 AND epoch_int < 100000000000000 THEN epoch_int * 1000
             WHEN is_int THEN epoch_int
             WHEN is_real AND epoch_scaled >= -62135596800000000.0 AND epoch_scaled < 253402300800000000.0
               THEN CAST(FLOOR(epoch_scaled) AS BIGINT)
        END AS epoch_micros
      FROM (
        SELECT *,
          TRY_CAST(CASE WHEN is_int THEN event_ts END AS BIGINT) AS epoch_int,
          TRY_CAST(CASE WHEN is_real THEN event_ts END AS DOUBLE)
            * (CASE WHEN ABS(TRY_CAST(CASE WHEN is_real THEN event_ts END AS DOUBLE)) < 1e11 THEN 1000000.0
                    WHEN ABS(TRY_CAST(CASE WHEN is_real THEN event_ts END AS DOUBLE)) < 1e14 THEN 1000.0
                    ELSE 1.0 END) + 0.5 AS epoch_scaled,
          SUBSTRING(event_ts FROM 1 FOR 10) AS date_text,
          RPAD(COALESCE(REGEXP_EXTRACT(event_ts, '^.{19}[.]([0-9]{1,6})', 1), ''), 6, '0') AS fraction6,
          COALESCE(REGEXP_EXTRACT(event_ts, '^.{19}(?:[.][0-9]{1,9})?(.*)$', 1), '') AS zone,
          REPLACE(SUBSTRING(COALESCE(REGEXP_EXTRACT(event_ts, '^.{19}(?:[.][0-9]{1,9})?(.*)$', 1), '') FROM 2), ':', '') AS zone_digits
        FROM (
          SELECT user_id, page, event_ts,
            REGEXP(event_ts, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$')
              AND SUBSTRING(event_ts FROM 1 FOR 4) <> '0000' AS is_text,
            REGEXP(event_ts, '^-?[0-9]{1,18}$') AS is_int,
            REGEXP(event_ts, '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') AND NOT REGEXP(event_ts, '^-?[0-9]{1,18}$') AS is_real
          FROM kafka_clicks
          WHERE user_id IS NOT NULL AND user_id <> '' AND page IS NOT NULL AND page <> ''
        )
      )
    ))))
  )
  WHERE is_text OR is_int OR is_real
)
WHERE utc_ts IS NOT NULL
  AND utc_ts BETWEEN TIMESTAMP '0001-01-01 00:00:00' AND TIMESTAMP '9999-12-31 23:59:59.999999'
  AND (NOT is_text OR (local_ts IS NOT NULL AND DATE_FORMAT(local_ts, 'yyyy-MM-dd') = date_text));
