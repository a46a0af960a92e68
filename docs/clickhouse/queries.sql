-- capd's fleet queries, over the Distributed tables of schema.sql.
-- SPDX-License-Identifier: BSD-2-Clause
--
-- Each query follows a "-- name: NAME" line and ends with ";".  Parameters
-- are written {T1}, {T2} (ns since 1970 UTC, integers: a window [T1, T2))
-- and {FEED} (a feed's name as capd.conf gives it, inside a string
-- literal): substitute them before running a query.  Days and hours are
-- UTC.
--
-- The right-hand sides of the joins and NOT IN read the *_local tables on
-- purpose: the query runs on every shard, each joins its own rows, which is
-- exact because every row of a box is on the shard of cityHash64(box)
-- (README.md, "Sharding").  FINAL counts a row shipped twice once.

-- name: where_feed
-- The files on each box that hold packets of {FEED} stamped in [{T1}, {T2}):
-- those whose first and last packet of the feed (from the file's index)
-- span the window, but for a file where a pause of the feed covers it (a
-- pauses row: no packet of the feed between from_ns < T1 and to_ns >= T2),
-- and one removed from its box since (capd.removals).  Exact for a window
-- of 100 ms or more in a file whose pauses are all listed (feeds.pauses =
-- feeds.npauses): a silence of the feed across such a window is a pause
-- of at least 100 ms, which the index lists.  Otherwise the answer may be
-- a superset: a window shorter than 100 ms can fall in a shorter silence,
-- and a file with more pauses than it lists (more than 32 of a feed) is
-- named whenever its span covers the window.  No file that holds a packet
-- of the feed in the window is ever left out.  Extract the packets on the
-- box with
--   capdump -r DIR --start T1 --end T2 --feed FEED -w out.pcapng
SELECT
    box,
    point,
    path,
    data_mtime_ns,
    data_size,
    span_start_ns,
    span_end_ns,
    feed_first_ns,
    feed_last_ns,
    feed_packets
FROM capd.files FINAL
ALL INNER JOIN
(
    SELECT
        box,
        path,
        data_mtime_ns,
        first_ns AS feed_first_ns,
        last_ns AS feed_last_ns,
        packets AS feed_packets
    FROM capd.feeds_local FINAL
    WHERE feed = '{FEED}' AND packets > 0 AND first_ns < {T2} AND last_ns >= {T1}
) USING (box, path, data_mtime_ns)
WHERE (box, path, data_mtime_ns) NOT IN
(
    SELECT box, path, data_mtime_ns FROM capd.removals_local FINAL
)
AND (box, path, data_mtime_ns) NOT IN
(
    SELECT box, path, data_mtime_ns FROM capd.pauses_local FINAL
    WHERE feed = '{FEED}' AND from_ns < {T1} AND to_ns >= {T2}
)
ORDER BY box, feed_first_ns, path;

-- name: gaps_per_feed_day
-- Sequence gaps per UTC day, feed and box, of the gaps whose packet after
-- the gap is stamped in [{T1}, {T2}): how many, the messages missing, and
-- how many of them fell between two files.  A and B lines are separate
-- boxes: a gap both saw is counted on each, which is what arbitration
-- needs to know.
SELECT
    toDate(toDateTime(intDiv(ts_ns, 1000000000)), 'UTC') AS day,
    feed,
    box,
    count() AS gaps,
    sum(seq_to - seq_from) AS missing,
    countIf(boundary = 1) AS gaps_between_files,
    min(seq_from) AS first_missing,
    max(seq_to) - 1 AS last_missing
FROM capd.gaps FINAL
WHERE ts_ns >= {T1} AND ts_ns < {T2}
GROUP BY day, feed, box
ORDER BY day, feed, box;

-- name: latency_p99_hour
-- capstat's latency per UTC hour, capture point and feed, of the intervals
-- ending in [{T1}, {T2}) that had latency samples (lat_p99_ns != 0).
-- p99_max_ns is the largest interval p99 of the hour: an upper bound of the
-- hour's own p99 (in every interval at most 1 % of the samples lie above
-- its p99, so at most 1 % of the hour's lie above the largest), and the
-- figure that does not hide one bad minute; that is why it is the answer.
-- p99_weighted_ns, the intervals' p99 weighted by their packets, shows
-- the typical level beside it, but is neither a bound nor the hour's p99.
-- The latency between two sites is the one capstat --latency-to measures
-- at the point that runs it (docs/latency.md).
SELECT
    toStartOfHour(toDateTime(intDiv(end_ns, 1000000000), 'UTC')) AS hour,
    point,
    box,
    feed,
    max(lat_p99_ns) AS p99_max_ns,
    if(sum(packets) = 0, toInt64(0),
       toInt64(sum(lat_p99_ns * toInt64(packets)) / sum(packets))) AS p99_weighted_ns,
    count() AS intervals,
    sum(packets) AS packets_total
FROM capd.intervals FINAL
WHERE end_ns >= {T1} AND end_ns < {T2} AND lat_p99_ns != 0
GROUP BY hour, point, box, feed
ORDER BY hour, point, box, feed;
