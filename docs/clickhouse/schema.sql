-- capd's fleet tables in ClickHouse: what capship(8) ships from each box.
-- SPDX-License-Identifier: BSD-2-Clause
--
-- Run on every server of the cluster (each statement alone, as the HTTP
-- interface takes them, or clickhouse-client --multiquery < schema.sql).
-- README.md in this directory explains the keys.  The syntax is that of
-- ClickHouse 18.16 (Debian 12) and is accepted as it is by current
-- versions: no DateTime64 (times are ns since 1970 UTC in UInt64), no
-- ON CLUSTER (which needs ZooKeeper/Keeper), no codecs or TTL.
--
-- Local tables (*_local) hold the rows of the boxes of this shard.  Each is
-- a ReplacingMergeTree whose ORDER BY key is the row's identity and whose
-- version is shipped_ns: a row shipped twice (a retry, a shipper killed
-- between the insert and its state) is one row after a merge, OPTIMIZE
-- TABLE ... FINAL, or in a query with FINAL.  The partition key is made
-- of the identity's columns only, so that both copies of a row always land
-- in the same partition, where merges can meet them.

CREATE DATABASE IF NOT EXISTS capd;

-- One row per recorded file of an archive, from its index.
CREATE TABLE IF NOT EXISTS capd.files_local
(
    box String,
    point String,
    path String,
    data_size UInt64,
    data_mtime_ns UInt64,
    span_start_ns UInt64,
    span_end_ns UInt64,
    first_ns UInt64,
    last_ns UInt64,
    packets UInt64,
    bytes_cap UInt64,
    bytes_wire UInt64,
    if_drop UInt64,
    os_drop UInt64,
    shipped_ns UInt64
)
ENGINE = ReplacingMergeTree(shipped_ns)
PARTITION BY toYYYYMM(toDateTime(intDiv(span_start_ns, 1000000000)))
ORDER BY (box, path, data_mtime_ns);

-- One row per feed of a file.  pauses: the feed's silences of 100 ms or
-- more in the file, all counted; npauses: how many of them pauses_local
-- lists (the first 32); all are listed when the two are equal.
CREATE TABLE IF NOT EXISTS capd.feeds_local
(
    box String,
    point String,
    path String,
    data_mtime_ns UInt64,
    feed String,
    proto String,
    packets UInt64,
    bytes_wire UInt64,
    first_ns UInt64,
    last_ns UInt64,
    seq_first UInt64,
    seq_last UInt64,
    seq_min UInt64,
    seq_max UInt64,
    gaps UInt64,
    missing UInt64,
    late UInt64,
    sessions UInt64,
    pauses UInt64,
    npauses UInt32,
    shipped_ns UInt64
)
ENGINE = ReplacingMergeTree(shipped_ns)
PARTITION BY toYYYYMM(toDateTime(intDiv(data_mtime_ns, 1000000000)))
ORDER BY (box, path, data_mtime_ns, feed);

-- One row per sequence gap: messages seq_from up to seq_to (exclusive)
-- missing before the packet at ts_ns, in the file path; boundary = 1 for
-- the gap between this file and the previous one of the archive.
CREATE TABLE IF NOT EXISTS capd.gaps_local
(
    box String,
    point String,
    feed String,
    path String,
    data_mtime_ns UInt64,
    seq_from UInt64,
    seq_to UInt64,
    ts_ns UInt64,
    boundary UInt8,
    shipped_ns UInt64
)
ENGINE = ReplacingMergeTree(shipped_ns)
PARTITION BY toYYYYMM(toDateTime(intDiv(data_mtime_ns, 1000000000)))
ORDER BY (box, feed, path, data_mtime_ns, seq_from);

-- One row per listed pause of a feed in the file path: no packet of the
-- feed stamped after from_ns and before to_ns, the times of the packets
-- on either side (to_ns - from_ns >= 100 ms).
CREATE TABLE IF NOT EXISTS capd.pauses_local
(
    box String,
    point String,
    feed String,
    path String,
    data_mtime_ns UInt64,
    from_ns UInt64,
    to_ns UInt64,
    shipped_ns UInt64
)
ENGINE = ReplacingMergeTree(shipped_ns)
PARTITION BY toYYYYMM(toDateTime(intDiv(data_mtime_ns, 1000000000)))
ORDER BY (box, feed, path, data_mtime_ns, from_ns);

-- One row per file that was shipped and is gone from its archive now
-- (retention removed it): removed_ns is when the shipper noticed.
CREATE TABLE IF NOT EXISTS capd.removals_local
(
    box String,
    point String,
    path String,
    data_mtime_ns UInt64,
    removed_ns UInt64,
    data_size UInt64,
    shipped_ns UInt64
)
ENGINE = ReplacingMergeTree(shipped_ns)
PARTITION BY toYYYYMM(toDateTime(intDiv(data_mtime_ns, 1000000000)))
ORDER BY (box, path, data_mtime_ns);

-- capstat's interval summaries (capstat --json), one row per feed and
-- interval; latencies 0 when capstat had none.
CREATE TABLE IF NOT EXISTS capd.intervals_local
(
    box String,
    point String,
    feed String,
    end_ns UInt64,
    interval_ns UInt64,
    packets UInt64,
    bytes UInt64,
    gaps UInt64,
    missing UInt64,
    lat_p50_ns Int64,
    lat_p99_ns Int64,
    shipped_ns UInt64
)
ENGINE = ReplacingMergeTree(shipped_ns)
PARTITION BY toYYYYMM(toDateTime(intDiv(end_ns, 1000000000)))
ORDER BY (box, feed, end_ns);

-- The cluster's view: queries read these; a box inserts into the *_local
-- tables of its own shard.  Sharding by cityHash64(box) puts every row of
-- a box, in every table, on one shard, so that duplicates meet there and
-- the queries may join and filter a shard's tables locally.
CREATE TABLE IF NOT EXISTS capd.files AS capd.files_local
ENGINE = Distributed(capd_cluster, capd, files_local, cityHash64(box));

CREATE TABLE IF NOT EXISTS capd.feeds AS capd.feeds_local
ENGINE = Distributed(capd_cluster, capd, feeds_local, cityHash64(box));

CREATE TABLE IF NOT EXISTS capd.gaps AS capd.gaps_local
ENGINE = Distributed(capd_cluster, capd, gaps_local, cityHash64(box));

CREATE TABLE IF NOT EXISTS capd.pauses AS capd.pauses_local
ENGINE = Distributed(capd_cluster, capd, pauses_local, cityHash64(box));

CREATE TABLE IF NOT EXISTS capd.removals AS capd.removals_local
ENGINE = Distributed(capd_cluster, capd, removals_local, cityHash64(box));

CREATE TABLE IF NOT EXISTS capd.intervals AS capd.intervals_local
ENGINE = Distributed(capd_cluster, capd, intervals_local, cityHash64(box));
